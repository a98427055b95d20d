"""Errors as pages for browsers and RFC 9457 problem documents for the API."""
from __future__ import annotations

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from mediation.messages import Msg, localize


#: Problem titles in both languages; the document speaks the request's (Accept-Language).
TITLES = {
    "Bad Request": Msg("请求无效", "Bad Request"),
    "Unauthorized": Msg("未登录或令牌无效", "Unauthorized"),
    "Forbidden": Msg("无权操作", "Forbidden"),
    "Not Found": Msg("未找到", "Not Found"),
    "Method Not Allowed": Msg("不支持该请求方法", "Method Not Allowed"),
    "Conflict": Msg("已被他人修改", "Conflict"),
    "Request Entity Too Large": Msg("请求内容过大", "Request Entity Too Large"),
    "Unsupported Media Type": Msg("不支持的内容类型", "Unsupported Media Type"),
    "Too Many Requests": Msg("请求过于频繁", "Too Many Requests"),
    "Invalid input": Msg("输入有误", "Invalid input"),
    "Refused": Msg("已拒绝", "Refused"),
    "Internal Server Error": Msg("服务器内部错误", "Internal Server Error"),
}
#: Werkzeug's own descriptions of an HTTP error, in Chinese too (by status).
DESCRIPTIONS = {
    400: Msg("请求无法处理。", "The browser (or proxy) sent a request that this server could not understand."),
    404: Msg("没有这个地址。", "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."),
    405: Msg("该地址不支持这种请求方法。", "The method is not allowed for the requested URL."),
    413: Msg("请求内容超过了大小上限。", "The data value transmitted exceeds the capacity limit."),
    415: Msg("不支持这种内容类型。", "The server does not support the media type transmitted in the request."),
}


def _in_locale(text, locale):
    return localize(TITLES.get(text, text) if isinstance(text, str) and not isinstance(text, Msg)
                    else text, locale)


def problem(status: int, title: str, detail: str | None = None, errors=None, **extra):
    """An RFC 9457 problem document; its title, detail and error messages (``Msg`` or plain
    text) in the request's language: Chinese, or English when Accept-Language asks."""
    from app.services.errors import request_locale

    locale = request_locale()
    body = {"type": "about:blank", "title": _in_locale(title, locale), "status": status}
    if detail:
        body["detail"] = localize(detail, locale)
    if errors is not None:
        body["errors"] = [{**e, "message": localize(e.get("message"), locale)}
                          if isinstance(e, dict) and "message" in e else e for e in errors]
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


class _Refusal:
    """What the error page needs of a refused use-case: a code and the words to show."""

    refusal = True

    def __init__(self, code: int, description: str) -> None:
        self.code, self.description = code, description


def _wants_problem() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def init_app(app) -> None:
    from app.input_safety import UnstorableInputError

    @app.errorhandler(UnstorableInputError)
    def _unstorable(error: UnstorableInputError):
        from app.extensions import db

        db.session.rollback()
        if _wants_problem():
            return problem(400, "Bad Request", str(error.description),
                           errors=[{"field": error.field, "message": str(error.message)}])
        return render_template("errors/page.html", error=error), 400

    from app.services.errors import ServiceError

    @app.errorhandler(ServiceError)
    def _refused(error: ServiceError):
        """A refusal a web view did not place on its form (the API has its own handler):
        its status (404 for a missing object), its message, nothing saved — never a 500."""
        from app.extensions import db

        db.session.rollback()
        if _wants_problem():
            return problem(error.status, "Refused", error.message, errors=error.errors or None)
        page = _Refusal(error.status, error.message)
        return render_template("errors/page.html", error=page), error.status

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if _wants_problem():
            standard = error.description == type(error).description
            return problem(error.code or 500, error.name,
                           DESCRIPTIONS.get(error.code, error.description) if standard
                           else error.description)
        return render_template("errors/page.html", error=error), error.code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error")
        from app.extensions import db

        db.session.rollback()
        if _wants_problem():
            return problem(500, "Internal Server Error")
        return render_template("errors/page.html", error=None), 500

"""What every response says about itself, whose address a request comes from, and the login limits.

* **Headers** (:func:`add_security_headers`, after every request): a Content-Security-Policy
  that allows scripts, styles, images and fonts from this site only — no inline script or
  style anywhere (templates link static files; the release graph's SVG uses presentation
  attributes), no plug-ins, no framing (``frame-ancestors 'none'``: the judge's buttons
  cannot be laid under another site's page), forms posting only here; ``nosniff``; a
  referrer that never leaves the site with a path; HSTS in production; and
  ``Cache-Control: no-store`` on every response but static files, since every page and
  API answer may carry a person's data (the login page carries the session's CSRF token).
  A response that set its own stricter headers (evidence and PDF downloads) keeps them.
* **Proxies** (:func:`install_proxy_fix`): behind nginx every request comes from the
  proxy's address. ``TRUSTED_PROXIES`` (how many proxies stand in front of the app) makes
  Werkzeug's ``ProxyFix`` take the client's address from that many ``X-Forwarded-For``
  entries; without it the header is ignored, so a client cannot pick its own address.
* **Login limits** (:func:`login_limits`): failed logins are counted per account
  (``LOGIN_RATE_LIMIT``) and, more loosely, per address (``LOGIN_ADDRESS_RATE_LIMIT``).
  Ten wrong passwords for one account lock that account for the window, not the office
  that shares its address; one address guessing across many accounts stops at the address
  limit. Successful logins are not counted. The counters live in Redis when ``REDIS_URL``
  (or ``RATELIMIT_STORAGE_URI``) is set, so every worker sees the same counts.
See docs/security.md.
"""
from __future__ import annotations

import hashlib

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from app.extensions import limiter

#: Everything from this site only; nothing inline, nothing framed, no plug-ins.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
#: A link to another site carries our origin only, never a case's URL.
REFERRER_POLICY = "strict-origin-when-cross-origin"
#: One year, as the HSTS preload list asks; only in production, which runs behind TLS.
HSTS = "max-age=31536000; includeSubDomains"


def add_security_headers(response):
    """``after_request``: the headers of docs/security.md; a response's own stricter ones stay."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for older browsers
    if current_app.config.get("ENV_NAME") == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static":
        cache_control = headers.get("Cache-Control", "")
        if "no-store" not in cache_control:
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
    return response


def install_proxy_fix(app: Flask, trusted_proxies: int) -> None:
    """Believe ``X-Forwarded-For``/``-Proto`` from exactly ``trusted_proxies`` proxies."""
    if trusted_proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted_proxies, x_proto=trusted_proxies)


def username_digest(username: str) -> str:
    """The account part of a rate-limit key: a digest, so any text makes a safe key, and
    ``Judge1`` and `` judge1 `` count as one account."""
    return hashlib.sha256(username.strip().casefold().encode("utf-8", "replace")).hexdigest()


def _submitted_username() -> str:
    if request.is_json:
        body = request.get_json(silent=True)
        value = body.get("username") if isinstance(body, dict) else None
    else:
        value = request.form.get("username")
    return value if isinstance(value, str) else ""


def account_key() -> str:
    """The rate-limit key of the account a login names."""
    return "account:" + username_digest(_submitted_username())


def address_key() -> str:
    """The rate-limit key of the client's address (after ``ProxyFix``, the real client's)."""
    return "address:" + (request.remote_addr or "unknown")


def account_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def address_rate_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _failed(response) -> bool:
    """A login attempt that did not log anyone in (wrong password, invalid form)."""
    return response.status_code >= 400


def login_limits(methods: list[str] | None = None):
    """Decorate a login view: failed attempts counted per account and per address.

    The web form and the API token share both counts (shared scopes), so an attacker
    gains nothing by switching between them.
    """
    per_account = limiter.shared_limit(account_rate_limit, "login-account", key_func=account_key,
                                       methods=methods, deduct_when=_failed)
    per_address = limiter.shared_limit(address_rate_limit, "login-address", key_func=address_key,
                                       methods=methods, deduct_when=_failed)

    def decorate(view):
        return per_address(per_account(view))

    return decorate


def init_app(app: Flask) -> None:
    install_proxy_fix(app, int(app.config.get("TRUSTED_PROXIES") or 0))
    app.after_request(add_security_headers)


__all__ = ["CONTENT_SECURITY_POLICY", "add_security_headers", "init_app", "install_proxy_fix",
           "login_limits"]

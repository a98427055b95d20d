"""Typed settings read from the environment, with safe development defaults.

Development runs on an SQLite file under ``instance/`` with a secret key generated once
into ``instance/secret_key`` (0600) and reused, so every worker signs alike.
Production (``APP_ENV=production``) refuses to start without a real ``SECRET_KEY`` and
a real database, so a forgotten variable fails loudly instead of silently.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = BASE_DIR / "instance"

#: SMS gateways the platform can talk to (app.notify.sms).
SMS_BACKENDS = ("log", "http")

#: Secrets that are known to be placeholders and must never reach production.
_PLACEHOLDER_SECRETS = {"", "dev", "change-me", "changeme", "secret"}


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the app can run with."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def instance_secret_key(instance_dir: Path) -> str:
    """Development's secret key: read from ``instance_dir/secret_key``, created once (0600).

    A key generated per process made two workers sign sessions differently (a login
    answered by one worker was refused by the other). The first process writes the key to
    a temporary file and links it into place, which fails if another got there first —
    then both read the one file, never a half-written one.
    """
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        temporary = instance_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32))
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
        finally:
            temporary.unlink(missing_ok=True)
    key = path.read_text().strip()
    if len(key) < 32:
        raise ConfigError(f"{path} holds no usable key; delete it to have a new one made")
    return key


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    secret_key: str = ""
    database_url: str = ""
    timezone: str = "Asia/Shanghai"
    default_locale: str = "zh"
    ratelimit_storage_uri: str = "memory://"
    #: Failed logins per account (web and API together) …
    login_rate_limit: str = "10 per minute"
    #: … and per client address: looser, since an office or a NAT shares one (app.security).
    login_address_rate_limit: str = "50 per minute"
    #: How many reverse proxies stand in front of the app; 0: X-Forwarded-For is ignored.
    trusted_proxies: int = 0
    session_cookie_secure: bool = False
    #: SMTP server for e-mail notices; empty: e-mail is off and only the in-app inbox is used.
    mail_server: str = ""
    mail_port: int = 25
    mail_sender: str = "noreply@wenchang-court.example"
    upload_dir: str = str(INSTANCE_DIR / "uploads")
    max_upload_bytes: int = 10 * 1024 * 1024  # a phone photo of a contract page fits easily
    max_request_bytes: int = 64 * 1024 * 1024  # several such photos in one filing
    demo_password: str = "Demo@2026"
    #: Where one-time codes and invitation links sent by SMS go (app.notify.sms): "log"
    #: writes them to the application log (development; never to a page).
    sms_backend: str = "log"
    #: With SMS_BACKEND=http: the gateway's URL, which takes a JSON POST per message, and
    #: an optional bearer token for it.
    sms_http_url: str = ""
    sms_http_token: str = ""
    #: Rendered case-list pages: kept in each worker's memory by default; a Redis URL
    #: shares them between workers and hosts. "off" renders every request afresh.
    page_cache: str = "memory"
    page_cache_seconds: int = 300
    #: A TrueType CJK font (.ttf/.ttc) for the court's PDFs; empty: WenQuanYi Zen Hei or AR PL
    #: when installed, else the built-in STSong-Light (app.documents.fonts).
    pdf_cjk_font: str = ""
    testing: bool = False

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def email_enabled(self) -> bool:
        return bool(self.mail_server)

    @classmethod
    def from_env(cls, environ: dict | None = None, *,
                 instance_dir: Path | None = None) -> "Settings":
        environ = dict(os.environ if environ is None else environ)
        instance_dir = Path(instance_dir) if instance_dir is not None else INSTANCE_DIR
        env = environ.get("APP_ENV", "development").strip().lower()
        secret = environ.get("SECRET_KEY", "")
        database_url = environ.get("DATABASE_URL", "")
        if env == "production":
            if secret.strip().lower() in _PLACEHOLDER_SECRETS or len(secret) < 32:
                raise ConfigError(
                    "SECRET_KEY must be set to a random value of at least 32 characters "
                    "in production (python -c 'import secrets; print(secrets.token_hex(32))')"
                )
            if not database_url:
                raise ConfigError("DATABASE_URL must be set in production")
        sms_backend = environ.get("SMS_BACKEND", "log").strip().lower() or "log"
        if sms_backend not in SMS_BACKENDS:
            raise ConfigError(f"SMS_BACKEND must be one of: {', '.join(SMS_BACKENDS)}")
        sms_http_url = environ.get("SMS_HTTP_URL", "").strip()
        if sms_backend == "http" and not sms_http_url.startswith(("http://", "https://")):
            raise ConfigError("SMS_BACKEND=http needs SMS_HTTP_URL (http:// or https://)")
        if not secret:
            secret = instance_secret_key(instance_dir)
        if not database_url:
            instance_dir.mkdir(parents=True, exist_ok=True)
            database_url = f"sqlite:///{instance_dir / 'platform.sqlite3'}"
        try:
            trusted_proxies = int(environ.get("TRUSTED_PROXIES", "0").strip() or "0")
        except ValueError:
            trusted_proxies = -1
        if not 0 <= trusted_proxies <= 10:
            raise ConfigError("TRUSTED_PROXIES must be the number of reverse proxies in front "
                              "of the app (0 to 10)")
        redis_url = environ.get("REDIS_URL", "").strip()
        return cls(
            env=env,
            secret_key=secret,
            database_url=database_url,
            timezone=environ.get("APP_TIMEZONE", "Asia/Shanghai"),
            default_locale=environ.get("DEFAULT_LOCALE", "zh"),
            ratelimit_storage_uri=(environ.get("RATELIMIT_STORAGE_URI", "").strip()
                                   or redis_url or "memory://"),
            login_rate_limit=environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
            login_address_rate_limit=environ.get("LOGIN_ADDRESS_RATE_LIMIT", "50 per minute"),
            trusted_proxies=trusted_proxies,
            session_cookie_secure=_bool(environ.get("SESSION_COOKIE_SECURE"), env == "production"),
            mail_server=environ.get("MAIL_SERVER", "").strip(),
            mail_port=int(environ.get("MAIL_PORT", "25")),
            mail_sender=environ.get("MAIL_SENDER", "noreply@wenchang-court.example"),
            upload_dir=environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads")),
            demo_password=environ.get("DEMO_PASSWORD", "Demo@2026"),
            sms_backend=sms_backend,
            sms_http_url=sms_http_url,
            sms_http_token=environ.get("SMS_HTTP_TOKEN", "").strip(),
            page_cache=environ.get("PAGE_CACHE", "memory").strip() or "memory",
            page_cache_seconds=int(environ.get("PAGE_CACHE_SECONDS", "300")),
            pdf_cjk_font=environ.get("PDF_CJK_FONT", "").strip(),
        )

    def flask_config(self) -> dict:
        """Translate the settings into Flask and extension configuration keys."""
        # PostgreSQL pings only connections that rested (app.extensions.configure_postgresql).
        engine_options: dict = {"pool_pre_ping": False}
        if self.database_url.startswith("sqlite"):
            engine_options = {"connect_args": {"timeout": 30}}
        return {
            "APP_SETTINGS": self,
            "ENV_NAME": self.env,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
            "SQLALCHEMY_TRACK_MODIFICATIONS": False,
            "BABEL_DEFAULT_LOCALE": self.default_locale,
            "BABEL_DEFAULT_TIMEZONE": self.timezone,
            "BABEL_TRANSLATION_DIRECTORIES": str(BASE_DIR / "translations"),
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "RATELIMIT_HEADERS_ENABLED": True,
            "LOGIN_RATE_LIMIT": self.login_rate_limit,
            "LOGIN_ADDRESS_RATE_LIMIT": self.login_address_rate_limit,
            "TRUSTED_PROXIES": self.trusted_proxies,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.session_cookie_secure,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": self.session_cookie_secure,
            # A filing may carry several phone photos; each file is checked against
            # max_upload_bytes by the evidence service, the whole request against this.
            "MAX_CONTENT_LENGTH": self.max_request_bytes,
            "UPLOAD_DIR": self.upload_dir,
            "MAIL_SERVER": self.mail_server,
            "MAIL_PORT": self.mail_port,
            "MAIL_SENDER": self.mail_sender,
            "DEMO_PASSWORD": self.demo_password,
            "SMS_BACKEND": self.sms_backend,
            "SMS_HTTP_URL": self.sms_http_url,
            "SMS_HTTP_TOKEN": self.sms_http_token,
            "PDF_CJK_FONT": self.pdf_cjk_font,
            **self._cache_config(),
            "TESTING": self.testing,
            "WTF_CSRF_TIME_LIMIT": None,
        }

    def _cache_config(self) -> dict:
        """Flask-Caching keys for the page cache (``PAGE_CACHE``: memory, off or redis://…)."""
        seconds = {"CACHE_DEFAULT_TIMEOUT": self.page_cache_seconds}
        if self.page_cache == "off":
            return {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True, **seconds}
        if self.page_cache.startswith(("redis://", "rediss://", "unix://")):
            return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": self.page_cache,
                    "CACHE_KEY_PREFIX": "mediation:", **seconds}
        if self.page_cache != "memory":
            raise ConfigError("PAGE_CACHE must be memory, off or a redis:// URL")
        # About 80 KB a page: 400 pages stay under 40 MB per worker.
        return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 400, **seconds}


__all__ = ["Settings", "ConfigError", "BASE_DIR", "INSTANCE_DIR"]

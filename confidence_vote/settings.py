"""Settings, read from environment variables (see .env.example).

Defaults run the application on SQLite out of the box; every value that must
differ in production is read through a strict helper that refuses bad input.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from confidence_vote.lib.env import (
    DEVELOPMENT_SECRET_KEY,
    env_bool,
    env_header,
    env_int,
    env_list,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
# SECRET_KEY, or SECRET_KEY_FILE naming a file that holds it. The development default only
# suits DEBUG=true and the tests: with DEBUG=false the WSGI application refuses to start on it
# (confidence_vote/wsgi.py), and `manage.py check --deploy` reports it.
SECRET_KEY = env_secret("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "confidence_vote.apps.ConfidenceVoteConfig",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "sessions.apps.VoteSessionsConfig",
    "ballots.apps.BallotsConfig",
    "reports.apps.ReportsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files with far-future caching, before anything that needs a session.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "confidence_vote.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    # Django's session middleware, remembering the request's session for the backend below.
    "confidence_vote.login_sessions.SessionMiddleware",
    "confidence_vote.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it turns a lockout flagged during the view into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "confidence_vote.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "confidence_vote.wsgi.application"


def _database_from_url(url: str) -> dj_database_url.DBConfig:
    conn_max_age = env_int("DATABASE_CONN_MAX_AGE", 0)
    try:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age)
    except Exception as exc:  # dj-database-url raises plain exceptions for unknown schemes
        raise ImproperlyConfigured(f"DATABASE_URL={url!r} is not understood: {exc}") from None
    engine = config.get("ENGINE", "")
    if engine not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        raise ImproperlyConfigured(
            f"DATABASE_URL={url!r}: only sqlite:/// and postgres:// URLs are supported."
        )
    # A kept connection is checked before each request reuses it.
    config["CONN_HEALTH_CHECKS"] = conn_max_age > 0
    if engine == "django.db.backends.sqlite3":
        config["OPTIONS"] = _sqlite_options()
    return config


def _sqlite_options() -> dict:
    """SQLite for several people saving at once: the write-ahead log (readers never wait for
    the writer), writers that wait their turn for up to SQLITE_BUSY_TIMEOUT seconds instead of
    failing with "database is locked", and transactions that take the write lock when they
    begin (a deferred transaction that reads, then writes, cannot wait for the lock: SQLite
    refuses it at once)."""
    return {
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 30, minimum=1),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }


DATABASES = {
    "default": _database_from_url(
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "vote_sessions:list"
LOGOUT_REDIRECT_URL = "login"

# Repeated wrong passwords lock the account, and separately the client address, for a while:
# on the login page, the admin login and the password re-entered to confirm a result.
# Attempts are kept in the database (django-axes), so every worker and restart sees them.
AUTHENTICATION_BACKENDS = [
    "confidence_vote.security.LockoutBackend",
    # Django's ModelBackend, taking the account loaded with the session when it is the same.
    "confidence_vote.login_sessions.SessionAccountBackend",
]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
# Higher: several people share a computer, or an office's addresses are translated into one.
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_HANDLER = "confidence_vote.security.LockoutHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
# Either the account or the address alone reaches its limit.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "confidence_vote.security.client_ip"
AXES_LOCKOUT_CALLABLE = "confidence_vote.security.lockout_response"
# A successful login does not wipe the count: else a guesser with an account of their own
# could reset their address's failures by logging in between guesses. Failures older than the
# lockout time no longer count.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False

# Login sessions in the database, each with its account's id in a column so that one query
# loads both (confidence_vote/login_sessions.py: Django's documented extension of its engine).
SESSION_ENGINE = "confidence_vote.login_sessions"
# A session ends after this many minutes without a request.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# Vietnamese first; English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# collectstatic writes compressed copies and names carrying a hash of the content, so the
# files can be cached for ever; DEBUG serves them from static/ as they are.
STORAGES: dict[str, dict] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files (officials' dossiers, scanned ballots' page images) are served only through
# permission-checked views, never from a public URL. They are kept through Django's default
# storage: the file system under MEDIA_ROOT, or an S3-compatible store (django-storages) when
# MEDIA_S3_BUCKET is set; its credentials come the usual way for boto3 (AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, or the machine's role), never from this file.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_S3_BUCKET = env_str("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env_str("MEDIA_S3_REGION", default="") or None,
            "location": env_str("MEDIA_S3_PREFIX", default=""),
            # Private objects; a name in use is never overwritten (a restore relies on it).
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Upload limits: a delegate list or a dossier is well under these.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DOSSIER_MAX_BYTES = env_int("DOSSIER_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
# A scan file of ballot papers uploaded in the browser (a few hundred pages of JPEG in a PDF).
SCAN_MAX_BYTES = env_int("SCAN_MAX_BYTES", 200 * 1024 * 1024, minimum=1024)
# Read uploaded scans in the request's thread instead of a background thread (tests).
SCAN_WORKER_SYNC = False
# Certification lays out its documents (the minutes, the report, an elected body's resolution)
# at the same time when the machine has a core to spare: the first in the request's process,
# the others in this many worker processes per web worker, started on first use and kept.
# 0 (or a busy machine): one after the other, in the request's process.
DOCUMENT_RENDER_PROCESSES = env_int("DOCUMENT_RENDER_PROCESSES", 1, minimum=0)

# Each organization's signing certificate: organization-<id>.p12 and organization-<id>.password
# (installed by a superuser on /signing/, or for trials by `manage.py create_signing_certificate`).
# Keep this folder private.
SIGNING_DIR = Path(env_str("SIGNING_DIR", default=str(BASE_DIR / "signing")))
# The PKCS#11 modules (USB token or HSM libraries) this server may load for signing, by absolute
# path, comma-separated. Loading a library runs its code, so the server's administrator lists
# them here; a superuser then picks one on /signing/. Empty: no signing with tokens.
PKCS11_MODULES = env_list("PKCS11_MODULES", default=[])
if any(not Path(module).is_absolute() for module in PKCS11_MODULES):
    raise ImproperlyConfigured(f"PKCS11_MODULES={PKCS11_MODULES!r}: give absolute paths.")
# The address printed in the documents' QR code, leading to the verification page.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Checks a client (by IP address) may make on the public verification page per 10 minutes.
VERIFY_RATE_LIMIT = env_int("VERIFY_RATE_LIMIT", 20, minimum=1)

# Rate limits live in a cache every worker shares: the database (the table is made by
# `migrate`), or Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"REDIS_URL={REDIS_URL!r}: use redis://HOST:6379/0, rediss://… or unix:///path."
    )
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "confidence_vote_cache",
        }
    )
}

# Behind a reverse proxy: the header it sets to "https" on TLS requests, and the header holding
# the client's address. Read only when named here, as a client can send any header it likes.
PROXY_SSL_HEADER = env_header("PROXY_SSL_HEADER")
if PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = (PROXY_SSL_HEADER, "https")
CLIENT_IP_HEADER = env_header("CLIENT_IP_HEADER")

# HTTPS=true: the site is served over TLS (directly or by the proxy): secure cookies, HSTS and
# a redirect of plain HTTP to HTTPS.
HTTPS = env_bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
# A monitor on the server itself asks over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", default=HTTPS)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=()"
)
# No inline script or style anywhere: every script and stylesheet is a file under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws its check marks and select arrows as data: SVG images.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="WARNING")},
    # pyHanko logs every failed validation with a traceback; a modified document is an
    # expected answer of the verification, reported to the user, not a server problem.
    "loggers": {
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}
# The bundled fonts are for the PDF documents (read from disk), never sent to a browser:
# compressing them would only slow `collectstatic` down.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br"),
    *("woff", "woff2", "ttf", "otf", "pdf"),
]

"""BrightWindow settings, read from the environment (docs/configuration.md; .env.example lists every variable).

A wrong value stops the process at once with an ImproperlyConfigured error naming the variable; the
values that depend on each other (PUBLIC_BASE_URL, ALLOWED_HOSTS, the opening hours ...) are checked by
Django's system checks (core/checks.py, evaluations/checks.py), which run at every start: manage.py,
runserver and the WSGI application that gunicorn loads.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_secret(name: str, default: str = "") -> str:
    """NAME, or the contents of the file NAME_FILE names (a secret mounted by systemd, Docker or Kubernetes)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        if os.environ.get(name):
            raise ImproperlyConfigured(f"set {name} or {name}_FILE, not both")
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path!r} ({exc.strerror})") from exc
    return os.environ.get(name, default)


# Off unless asked for: a forgotten variable must never leave debug pages open in production.
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false (or SECRET_KEY_FILE)")
    SECRET_KEY = "dev-only-insecure-key-change-me-brightwindow"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The site is reached over HTTPS (behind nginx): secure cookies, HSTS, redirects. Off for the demo on loopback.
HTTPS = env_bool("HTTPS", not DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Our apps, bottom layer first (docs/architecture.md).
    "core",
    "org",
    "workdays",
    "catalog",
    "counter",
    "evaluations",
    "api",
    "shell",
    "demo",
    # Only for its Swagger UI files, served from here (no CDN); after api, whose templates override its page.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shell.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "core.middleware.StripNulMiddleware",
    "core.middleware.AuditAddressMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.ratelimit.RateLimitMiddleware",
    "org.sessions.IdleSessionMiddleware",
    "shell.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "shell.views.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "shell.context_processors.shell",
            ],
        },
    },
]

# Django's widget templates, but plain inputs and checkboxes drawn in Python (the same HTML, a fifth of a form's CPU).
FORM_RENDERER = "shell.forms_renderer.FormRenderer"

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_secret("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
# PostgreSQL: every process shares a small pool of connections (psycopg_pool) among all its threads, so that no
# number of gunicorn threads (hundreds, for the waiting evaluators) can open more than DB_POOL_MAX_SIZE
# connections per process; a thread that finds the pool busy waits up to DB_POOL_TIMEOUT seconds for one.
# DB_POOL_MAX_SIZE=0 turns the pool off (one connection per thread, kept for DB_CONN_MAX_AGE).
DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 8)
if DATABASES["default"]["ENGINE"].endswith("postgresql") and DB_POOL_MAX_SIZE > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django must not
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DB_POOL_MAX_SIZE),
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": env_int("DB_POOL_TIMEOUT", 20),
        # A connection idle for 5 minutes is closed (down to min_size); every connection is renewed hourly.
        "max_idle": 300,
        "max_lifetime": 3600,
    }
# PostgreSQL: the hot reads (core.prepared) are prepared on each connection and then run without being parsed and
# planned again (core/postgresql/base.py); this needs parameters bound on the server. DB_PREPARED_READS=false
# gives Django's own backend (parameters put into the SQL by the client, nothing prepared), e.g. behind a
# PgBouncer in transaction mode older than 1.21.
DB_PREPARED_READS = env_bool("DB_PREPARED_READS", True)
if DATABASES["default"]["ENGINE"].endswith("postgresql") and DB_PREPARED_READS:
    DATABASES["default"]["ENGINE"] = "core.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Two requests writing at once (runserver's threads): with WAL readers never wait for the writer, and
    # an immediate transaction takes the write lock when it begins, so the second writer queues (up to
    # `timeout` seconds) instead of failing half-way with "database is locked"; the decision that comes
    # second then sees the first one's change and is refused with the same 409 as on PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.Staff"
AUTHENTICATION_BACKENDS = ["org.backends.StaffBackend"]
LOGIN_URL = "org:login"
LOGIN_REDIRECT_URL = "shell:home"
LOGOUT_REDIRECT_URL = "org:login"

# OWASP ASVS level 2: at least 12 characters, nothing like the person's names (pinyin of the name included).
# Only choosing a password checks them; set_password (the demo's accounts, staff_create) does not.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "org.passwords.NameSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "full_name", "first_name", "last_name", "email")}},
    {"NAME": "org.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "org.passwords.CommonPasswordValidator"},
    {"NAME": "org.passwords.NumericPasswordValidator"},
]

# Sign-in lockout: this many failures in a row for one user name from one client address lock that pair
# (not the account everywhere) for LOGIN_LOCK_MINUTES; the staff and the admin sign-in share it.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
# Passwords one process checks at once (each costs a few hundred ms of CPU); further sign-ins wait their turn.
SIGN_IN_CONCURRENCY = env_int("SIGN_IN_CONCURRENCY", 2)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)

# The client's address, for the lockout and the request limits: REMOTE_ADDR, or the header the proxy in front
# of gunicorn sets, as Django names it (nginx's X-Real-IP: HTTP_X_REAL_IP). Set it only behind that proxy:
# otherwise any client could choose its address by sending the header.
TRUSTED_PROXY_ADDRESS_HEADER = os.environ.get("TRUSTED_PROXY_ADDRESS_HEADER", "").strip()

# Requests per minute and client address on the endpoints worth guessing at (core/ratelimit.py); 0 is off.
# Far above what a counter does: docs/configuration.md gives the reasons. nginx's limit_req is the outer guard.
RATE_LIMIT_SIGN_IN = env_int("RATE_LIMIT_SIGN_IN", 20)
RATE_LIMIT_PAIRING = env_int("RATE_LIMIT_PAIRING", 10)
RATE_LIMIT_DEVICE_API = env_int("RATE_LIMIT_DEVICE_API", 600)
RATE_LIMIT_INTEGRATION_API = env_int("RATE_LIMIT_INTEGRATION_API", 120)
RATE_LIMIT_RATING_LINK = env_int("RATE_LIMIT_RATING_LINK", 60)
# (name, methods or None for all, path pattern, requests, seconds): the first matching rule counts a request.
RATE_LIMITS: list[tuple] = [
    ("sign_in", ("POST",), r"^/(accounts|admin)/login/$", RATE_LIMIT_SIGN_IN, 60),
    ("pairing", ("POST",), r"^/api/devices/pair$", RATE_LIMIT_PAIRING, 60),
    # The long poll (about 3 calls a minute per tablet, all day) counts only its refusals: an idle tablet's poll
    # writes nothing (docs/evaluator.md); a client guessing tokens is stopped as on every other device call.
    ("device_poll", ("GET",), r"^/api/devices/next$", RATE_LIMIT_DEVICE_API, 60, "failures"),
    ("device_api", None, r"^/api/devices/", RATE_LIMIT_DEVICE_API, 60),
    ("integration_api", None, r"^/api/ratings$", RATE_LIMIT_INTEGRATION_API, 60),  # add new integration paths here
    ("rating_link", None, r"^/r/", RATE_LIMIT_RATING_LINK, 60),
]
# The page a refused request gets outside /api/, called as view(request, 429, message).
RATE_LIMIT_VIEW = "shell.views.error_page"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT: Path | None = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production: `collectstatic` writes hashed, compressed copies to STATIC_ROOT (long-cached by browsers).
# Development, the demo and tests: WhiteNoise serves the files from the source folders.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
if not STATIC_MANIFEST and "STATIC_ROOT" not in os.environ:
    STATIC_ROOT = None  # nothing is collected, so WhiteNoise has no folder to look for

# Font embedded in PDFs; a TrueType/TTC file with Chinese glyphs.
PDF_FONT_PATH = os.environ.get("PDF_FONT_PATH", "")

# The evaluator and the bad-review loop (R7). Defaults follow Fujian's rules.
# Level recorded when a case is not rated within RATING_LINK_DAYS days (4 = 满意; Guangdong uses 3).
RATING_DEFAULT_LEVEL = env_int("RATING_DEFAULT_LEVEL", 4)
RATING_LINK_DAYS = env_int("RATING_LINK_DAYS", 7)
FOLLOW_UP_WORKING_DAYS = env_int("FOLLOW_UP_WORKING_DAYS", 10)
# A device that has not been heard from for this long counts as offline.
DEVICE_OFFLINE_AFTER_SECONDS = env_int("DEVICE_OFFLINE_AFTER_SECONDS", 90)
# How long the device's wait for the next case is held open before it asks again.
DEVICE_WAIT_SECONDS = env_int("DEVICE_WAIT_SECONDS", 25)
# A device shows a rating screen decided while it was offline only if the decision is this recent.
DEVICE_FRESH_MINUTES = env_int("DEVICE_FRESH_MINUTES", 5)
# Window opening hours, for the evaluator's offline time (HH:MM-HH:MM, comma-separated).
WINDOW_OPENING_HOURS = os.environ.get("WINDOW_OPENING_HOURS", "08:30-12:00,14:30-17:30")
# The public address printed under the QR code on documents, e.g. https://window.example.gov.cn.
# Required when DEBUG is false (a system check says so): a wrong one makes every printed link dead.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000" if DEBUG else "")

SESSION_COOKIE_HTTPONLY = True
# A sign-in ends SESSION_COOKIE_AGE seconds after it began, however busy (org/sessions.py fixes the end at sign-in),
# and earlier when nothing was done for SESSION_IDLE_MINUTES (a counter PC is shared).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
# Everything is served from here (shell/middleware.py SecurityHeadersMiddleware); "" sends no policy.
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY", (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
))
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

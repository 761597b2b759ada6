"""Settings for every environment.

Production differs from the demo only through environment variables (see README,
"Configuration"): there is deliberately no production.py.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


DATA_DIR = Path(os.environ.get("LIANDONG_DATA_DIR", Path.cwd() / "var")).resolve()

DEBUG = env_bool("LIANDONG_DEBUG")

SECRET_KEY = os.environ.get("LIANDONG_SECRET_KEY", "")
FIELD_KEY = os.environ.get("LIANDONG_FIELD_KEY", "")
if not SECRET_KEY or not FIELD_KEY:
    # The demo and tests run without configuration; keys are then generated once and kept
    # in the data dir so that encrypted personal data stays readable across restarts.
    from liandong.core.keys import load_or_create_keys

    _keys = load_or_create_keys(DATA_DIR)
    SECRET_KEY = SECRET_KEY or _keys["secret_key"]
    FIELD_KEY = FIELD_KEY or _keys["field_key"]

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("LIANDONG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("LIANDONG_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "liandong.core",
    "liandong.accounts",
    "liandong.organizations",
    "liandong.workers",
    "liandong.meetings",
    "liandong.demands",
    "liandong.activities",
    "liandong.competitions",
    "liandong.democracy",
    "liandong.campaigns",
    "liandong.volunteers",
    "liandong.mediation",
    "liandong.outreach",
    "liandong.notifications",
    "liandong.workbench",
    "liandong.reports",
    "liandong.training",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "liandong.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "liandong.accounts.middleware.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "liandong.core.middleware.NoStoreMiddleware",
    # Last, so nearest the view: a busy database is a 503 with Retry-After, not a 500.
    "liandong.core.busy.BusyDatabaseMiddleware",
]

ROOT_URLCONF = "liandong.urls"
WSGI_APPLICATION = "liandong.wsgi.application"

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
                "liandong.accounts.context_processors.navigation",
                "liandong.notifications.context_processors.unread",
            ],
        },
    },
]

# SQLite (WAL) is the embedded default; PostgreSQL through DATABASE_URL in production.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'liandong.sqlite3'}",
        conn_max_age=int(os.environ.get("LIANDONG_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept (CONN_MAX_AGE above) so that SQLite's page cache, which lives in
    # the connection, stays warm between requests.
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE makes every transaction take the write lock up front, so that two
        # writers never both read-then-upgrade and fail with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "liandong.workers.backends.WorkerMobileBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

CACHES = {
    # A database cache is shared by every gunicorn worker, which the login throttle needs.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "liandong_cache",
    },
    # Per-process copies of values every request needs and that may be a little stale:
    # demands configuration (30 s), rendered scoreboards (seconds), subtree sizes (5 min).
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "liandong-local",
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"

# Uploads: rosters up to 20 MB; anything larger is refused before parsing.
LIANDONG_IMPORT_MAX_BYTES = 20 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Sessions: 30 minutes idle, 12 hours absolute (ASVS 7.3).
SESSION_COOKIE_AGE = 12 * 60 * 60
LIANDONG_SESSION_IDLE_SECONDS = 30 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused form is a Chinese page in the product's layout (JSON under /api/).
CSRF_FAILURE_VIEW = "liandong.core.views.csrf_failure"

# Security headers; HTTPS-only settings switch on with LIANDONG_HTTPS=1 (behind nginx + TLS).
HTTPS = env_bool("LIANDONG_HTTPS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# Behind nginx on the same host: the client address comes from X-Forwarded-For (set by nginx).
LIANDONG_BEHIND_PROXY = env_bool("LIANDONG_BEHIND_PROXY", default=HTTPS)

# Login throttling: 5 failures per account (or 20 per IP) in 30 minutes lock it for 30 minutes.
LIANDONG_LOGIN_FAILURE_LIMIT = 5
LIANDONG_LOGIN_IP_FAILURE_LIMIT = 20
LIANDONG_LOGIN_LOCK_SECONDS = 30 * 60
LIANDONG_OTP_TTL = timedelta(minutes=5)
LIANDONG_OTP_RESEND_SECONDS = 60

# One-time codes for workers go out through a pluggable SMS backend.
LIANDONG_SMS_BACKEND = os.environ.get("LIANDONG_SMS_BACKEND", "liandong.accounts.sms.FileBackend")
LIANDONG_SMS_FILE = DATA_DIR / "sms-outbox.log"
# The file backend writes full mobiles and valid codes to disk: a production configuration
# (DEBUG off) refuses to start with it (accounts.checks) unless this allows it explicitly
# (`liandong demo` sets it for itself).
LIANDONG_SMS_ALLOW_FILE = env_bool("LIANDONG_SMS_ALLOW_FILE")
# Sign-in codes requested per mobile number, per client address and in total, per hour
# (workers/signin.py): over a limit, nothing is sent.
LIANDONG_OTP_SENDS_PER_MOBILE_HOUR = env_int("LIANDONG_OTP_SENDS_PER_MOBILE_HOUR", 5)
LIANDONG_OTP_SENDS_PER_IP_HOUR = env_int("LIANDONG_OTP_SENDS_PER_IP_HOUR", 10)
LIANDONG_OTP_SENDS_PER_HOUR = env_int("LIANDONG_OTP_SENDS_PER_HOUR", 1000)

# Email: SMTP when LIANDONG_EMAIL_HOST is set, else the console (the demo: a file, see below).
EMAIL_BACKEND = os.environ.get(
    "LIANDONG_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("LIANDONG_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("LIANDONG_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("LIANDONG_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("LIANDONG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("LIANDONG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("LIANDONG_EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("LIANDONG_EMAIL_USE_SSL")
EMAIL_TIMEOUT = env_int("LIANDONG_EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get("LIANDONG_EMAIL_FROM", "noreply@liandong.local")
# The filebased backend's folder (LIANDONG_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend).
EMAIL_FILE_PATH = DATA_DIR / "mail"

# Notifications (notifications app): the address of this site in emails, SMS and group robots;
# SMS quiet hours ("22-8": nothing but urgent SMS from 22:00 to 08:00, deferred, not dropped);
# at most this many SMS per number per hour; the timeout of a group robot's POST.
LIANDONG_SITE_URL = os.environ.get("LIANDONG_SITE_URL", "http://127.0.0.1:8000")
_quiet = os.environ.get("LIANDONG_SMS_QUIET_HOURS", "22-8").split("-")
try:
    LIANDONG_SMS_QUIET_HOURS = (int(_quiet[0]) % 24, int(_quiet[-1]) % 24)
except ValueError:
    raise ImproperlyConfigured("LIANDONG_SMS_QUIET_HOURS must look like 22-8.") from None
LIANDONG_SMS_PER_HOUR = env_int("LIANDONG_SMS_PER_HOUR", 5)
LIANDONG_WEBHOOK_TIMEOUT = env_int("LIANDONG_WEBHOOK_TIMEOUT", 10)
# Generic HTTP SMS gateway (LIANDONG_SMS_BACKEND=liandong.accounts.sms.HttpGatewayBackend).
LIANDONG_SMS_GATEWAY_URL = os.environ.get("LIANDONG_SMS_GATEWAY_URL", "")
LIANDONG_SMS_GATEWAY_FORMAT = os.environ.get("LIANDONG_SMS_GATEWAY_FORMAT", "json")
LIANDONG_SMS_GATEWAY_BODY = os.environ.get("LIANDONG_SMS_GATEWAY_BODY", "")
LIANDONG_SMS_GATEWAY_KEY = os.environ.get("LIANDONG_SMS_GATEWAY_KEY", "")
LIANDONG_SMS_GATEWAY_SECRET = os.environ.get("LIANDONG_SMS_GATEWAY_SECRET", "")
LIANDONG_SMS_GATEWAY_SIGN_NAME = os.environ.get("LIANDONG_SMS_GATEWAY_SIGN_NAME", "")
LIANDONG_SMS_GATEWAY_TEMPLATE_ID = os.environ.get("LIANDONG_SMS_GATEWAY_TEMPLATE_ID", "")
LIANDONG_SMS_GATEWAY_TIMEOUT = env_int("LIANDONG_SMS_GATEWAY_TIMEOUT", 10)
# The gateway's delivery reports (回执) are POSTed to /api/v1/public/sms-reports/<this token>;
# unset: no such address (404).
LIANDONG_SMS_REPORT_TOKEN = os.environ.get("LIANDONG_SMS_REPORT_TOKEN", "")

# Background tasks (Django's Tasks API, django-tasks), run by `liandong worker`, which also runs
# the periodic jobs of `liandong tick` every minute. LIANDONG_TASKS_BACKEND: "db" (the default:
# the queue is a table of this database, django-tasks-db), "rq" (a Redis queue at
# LIANDONG_REDIS_URL, django-tasks-rq, for installs that outgrow one machine), "immediate" (run
# in the request, no worker) or a backend's dotted path.
TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
RQ_BACKEND = TASK_BACKENDS["rq"]
_tasks_backend = os.environ.get("LIANDONG_TASKS_BACKEND", "") or "db"
TASKS = {"default": {"BACKEND": TASK_BACKENDS.get(_tasks_backend, _tasks_backend)}}
LIANDONG_REDIS_URL = os.environ.get("LIANDONG_REDIS_URL", "redis://127.0.0.1:6379/0")
# django-rq's queue (RQ's connection) for the "rq" backend; its app only when it is used.
RQ_QUEUES = {"default": {"URL": LIANDONG_REDIS_URL, "DEFAULT_TIMEOUT": 600}}
if TASKS["default"]["BACKEND"] == RQ_BACKEND:
    INSTALLED_APPS += ["django_rq"]
# How often the worker runs the periodic jobs, in seconds.
LIANDONG_TICK_SECONDS = env_int("LIANDONG_TICK_SECONDS", 60)

# PDFs embed a CJK TrueType font: Debian's fonts-wqy-microhei unless this names another
# .ttf/.ttc (core.documents).
LIANDONG_PDF_FONT = os.environ.get("LIANDONG_PDF_FONT", "")
# gunicorn workers started by `liandong serve` (its --workers default).
LIANDONG_WORKERS = int(os.environ.get("LIANDONG_WORKERS", "2"))
# Threads per process on which one page's independent reads run side by side (the dashboard's
# figures; core/fanout.py); 0 or 1 computes them one after another.
LIANDONG_READ_THREADS = env_int("LIANDONG_READ_THREADS", 3)

# Rate limits of the demands public intake and tracking page (demands/throttle.py).
LIANDONG_DEMANDS_SUBMITS_PER_IP_HOUR = env_int("LIANDONG_DEMANDS_SUBMITS_PER_IP_HOUR", 20)
LIANDONG_DEMANDS_SUBMITS_PER_MOBILE_DAY = env_int("LIANDONG_DEMANDS_SUBMITS_PER_MOBILE_DAY", 5)
LIANDONG_DEMANDS_FAILED_LOOKUPS_PER_IP_HOUR = env_int(
    "LIANDONG_DEMANDS_FAILED_LOOKUPS_PER_IP_HOUR", 30
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "filters": {"one_line_client_errors": {"()": "liandong.core.logs.OneLineClientErrors"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LIANDONG_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A 403 or 404 is one WARNING line; a 500 keeps its traceback (core/logs.py).
        "django.request": {"filters": ["one_line_client_errors"]},
    },
}

if not FIELD_KEY or len(FIELD_KEY) < 32:
    raise ImproperlyConfigured("LIANDONG_FIELD_KEY must be at least 32 characters.")

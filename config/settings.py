"""Settings read the environment only.

With no variable set, govstore runs embedded: SQLite and uploads under var/, a
file-based cache, an in-memory channel layer and a Celery broker on the filesystem.
Production differs only in environment values (DATABASE_URL, REDIS_URL, ...).
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GOVSTORE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# The embedded default is for a developer's machine; production sets its own key, and
# refuses to start with the published one.
SECRET_KEY = os.environ.get("SECRET_KEY", "embedded-default-key-not-for-production-use-0123456789")
if not DEBUG and "SECRET_KEY" not in os.environ:
    raise ImproperlyConfigured("Set SECRET_KEY (50 or more random characters) when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Django's admin, with every change written to the audit trail (accounts.admin_audit).
    "govstore.accounts.admin_config.AuditedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "govstore.core",
    "govstore.accounts",
    "govstore.stores",
    "govstore.catalog",
    "govstore.registry",
    "govstore.documents",
    "govstore.payments",
    "govstore.payments.sandbox",
    "govstore.delivery",
    "govstore.delivery.sandbox",
    "govstore.applications",
    "govstore.messaging",
    "govstore.notifications",
    "govstore.feedback",
    "govstore.supervision",
    "govstore.auctions",
    "govstore.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff sessions end after inactivity; then no staff page opens before the code.
    "govstore.accounts.middleware.StaffSessionIdleMiddleware",
    "govstore.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Must stay last: it turns an axes lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "govstore.notifications.context_processors.unread_notifications",
                "govstore.stores.context_processors.staff_roles",
                "govstore.accounts.context_processors.two_factor",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'govstore.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, channels, jobs -------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Answers as an empty cache while Redis is unreachable: pages, the API and
            # rate limits keep working through a Redis outage (govstore/core/cache.py).
            "BACKEND": "govstore.core.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "govstore"),
            # A hung Redis costs a request one short wait, not the whole request.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # Longer than channels-redis's own 5-second wait on Redis, so an idle
            # watcher's read on a busy server does not time out and drop its socket.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}]},
        }
    }
else:
    # A file cache is shared by the web server and the worker on one machine.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "queue"
    for _sub in ("out", "processed", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "out"),
        "data_folder_out": str(_queue_dir / "out"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
# Results are kept only so callers and tests can wait on a job; the embedded default
# keeps them in files beside the queue.
if not REDIS_URL:
    (VAR_DIR / "results").mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = os.environ.get(
    "CELERY_RESULT_BACKEND", REDIS_URL or f"file://{VAR_DIR / 'results'}"
)
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Time-based work runs as idempotent sweeps, never as one timer per object.
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "govstore.core.tasks.worker_heartbeat", "schedule": 30.0},
    "applications-close-unpaid": {
        "task": "govstore.applications.tasks.applications_close_unpaid",
        "schedule": 600.0,
    },
    "documents-purge-due": {
        "task": "govstore.documents.tasks.documents_purge_due",
        "schedule": crontab(minute=17),
    },
    "applications-confirm-receipt": {
        "task": "govstore.applications.tasks.applications_confirm_receipt_due",
        "schedule": 600.0,
    },
    "notifications-send-stale": {
        "task": "govstore.notifications.tasks.notifications_send_stale",
        "schedule": 300.0,
    },
    "payments-refunds-retry": {
        "task": "govstore.payments.tasks.refunds_retry_due",
        "schedule": 120.0,
    },
    "payments-query-late": {
        "task": "govstore.payments.tasks.payments_query_late",
        "schedule": 120.0,
    },
    "feedback-complaints-late": {
        "task": "govstore.feedback.tasks.complaints_mark_late",
        "schedule": crontab(minute=7),
    },
    # Daily, so a store's six-month window slides even on days nobody rates it.
    "feedback-store-ratings-refresh": {
        "task": "govstore.feedback.tasks.store_ratings_refresh",
        "schedule": crontab(hour=3, minute=23),
    },
    # Opens and closes lots, marks unpaid winners, and releases deposits still held:
    # bidding itself never waits for it (the server's clock decides at each bid).
    "auctions-clock": {"task": "govstore.auctions.tasks.auctions_clock", "schedule": 60.0},
    "sandbox-gateway-notifications": {
        "task": "govstore.payments.sandbox.tasks.sandbox_notifications_send_due",
        "schedule": 30.0,
    },
    "sandbox-courier-tracking": {
        "task": "govstore.delivery.sandbox.tasks.sandbox_tracking_send_due",
        "schedule": 15.0,
    },
    # Personal data past its keeping period (docs/privacy.md), nightly and staggered.
    **{
        name: {"task": task, "schedule": crontab(hour=2, minute=minute)}
        for name, task, minute in (
            ("accounts-sessions-purge", "govstore.documents.tasks.sessions_purge_due", 11),
            (
                "accounts-login-records-purge",
                "govstore.documents.tasks.login_records_purge_due",
                13,
            ),
            ("delivery-addresses-purge", "govstore.delivery.tasks.addresses_purge_due", 21),
            ("delivery-labels-purge", "govstore.delivery.tasks.shipment_labels_purge_due", 23),
            (
                "delivery-webhook-refusals-purge",
                "govstore.delivery.tasks.webhook_refusals_purge_due",
                25,
            ),
            (
                "notifications-addresses-purge",
                "govstore.notifications.tasks.notification_addresses_purge_due",
                31,
            ),
            (
                "notifications-purge",
                "govstore.notifications.tasks.notifications_purge_due",
                33,
            ),
            (
                "supervision-events-purge",
                "govstore.supervision.tasks.supervision_events_purge_due",
                41,
            ),
            (
                "feedback-evidence-purge",
                "govstore.feedback.tasks.complaint_evidence_purge_due",
                43,
            ),
        )
    },
}

# --- People ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:me"
LOGOUT_REDIRECT_URL = "catalog:home"

# Failed logins: after AXES_FAILURE_LIMIT failures for one account from one address the
# pair is locked out for AXES_COOLOFF_TIME.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# --- Language and time -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Public pages as anonymous visitors see them are served from the cache for this long
# (govstore/core/pagecache.py); 0 renders every request.
ANONYMOUS_PAGE_CACHE_SECONDS = int(os.environ.get("ANONYMOUS_PAGE_CACHE_SECONDS", "30"))

# --- Files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
# Collected once per release and served by nginx; several processes may share one copy.
STATIC_ROOT = Path(os.environ.get("GOVSTORE_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
# Service example photos: a volume shared by every machine in a multi-machine deployment.
MEDIA_ROOT = Path(os.environ.get("GOVSTORE_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Documents -------------------------------------------------------------------------
# Citizens' document photos are encrypted at rest with per-file keys wrapped by this
# master key (base64 of 32 bytes). The embedded default generates one under var/.
DOCUMENTS_MASTER_KEY = os.environ.get("DOCUMENTS_MASTER_KEY", "")
# Kept only while a rotation is under way: opens data keys not yet re-wrapped.
DOCUMENTS_MASTER_KEY_PREVIOUS = os.environ.get("DOCUMENTS_MASTER_KEY_PREVIOUS", "")
DOCUMENTS_MASTER_KEY_FILE = VAR_DIR / "documents-master.key"
DOCUMENTS_ROOT = VAR_DIR / "documents"
# S3-compatible storage replaces the local disk when a bucket is named.
DOCUMENTS_S3_BUCKET = os.environ.get("DOCUMENTS_S3_BUCKET", "")
DOCUMENTS_S3_ENDPOINT_URL = os.environ.get("DOCUMENTS_S3_ENDPOINT_URL", "") or None
DOCUMENTS_MAX_UPLOAD_BYTES = 15 * 1024 * 1024
# Uploads above this stay on disk while Django reads them, not in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

# --- Applications ------------------------------------------------------------------------
# An application left unpaid this long is closed by the sweep.
APPLICATIONS_UNPAID_CLOSE_HOURS = int(os.environ.get("APPLICATIONS_UNPAID_CLOSE_HOURS", "24"))
# More replacements than this in 12 months send an application to the counter.
REGISTRY_SUSPICIOUS_REPLACEMENTS_PER_YEAR = int(
    os.environ.get("REGISTRY_SUSPICIOUS_REPLACEMENTS_PER_YEAR", "2")
)
# Documents are purged this many days after the application completes (a service may
# set its own).
DOCUMENT_RETENTION_DAYS = int(os.environ.get("DOCUMENT_RETENTION_DAYS", "90"))
# Receipt confirms itself this many days after delivery; the citizen may extend once.
APPLICATIONS_RECEIPT_CONFIRM_DAYS = int(os.environ.get("APPLICATIONS_RECEIPT_CONFIRM_DAYS", "10"))
APPLICATIONS_RECEIPT_EXTEND_DAYS = int(os.environ.get("APPLICATIONS_RECEIPT_EXTEND_DAYS", "3"))

# --- Messages and notifications ----------------------------------------------------------
# A message may be recalled this long after it was sent; after that it is evidence.
MESSAGING_RECALL_SECONDS = int(os.environ.get("MESSAGING_RECALL_SECONDS", "120"))
# At most this many messages per sender per minute in one conversation.
MESSAGING_MESSAGES_PER_MINUTE = int(os.environ.get("MESSAGING_MESSAGES_PER_MINUTE", "20"))
# "console" prints SMS to the worker's log, "file" writes them under NOTIFICATIONS_OUTBOX_DIR.
NOTIFICATIONS_SMS_BACKEND = os.environ.get("NOTIFICATIONS_SMS_BACKEND", "file")
NOTIFICATIONS_OUTBOX_DIR = Path(os.environ.get("NOTIFICATIONS_OUTBOX_DIR", VAR_DIR / "outbox"))
# At most this many SMS / emails per recipient per hour; the in-app centre has no limit.
NOTIFICATIONS_SMS_PER_HOUR = int(os.environ.get("NOTIFICATIONS_SMS_PER_HOUR", "5"))
NOTIFICATIONS_EMAIL_PER_HOUR = int(os.environ.get("NOTIFICATIONS_EMAIL_PER_HOUR", "10"))
# Email goes through SMTP when EMAIL_HOST is set, else into files under the outbox.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(NOTIFICATIONS_OUTBOX_DIR / "email")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "govstore <no-reply@govstore.local>")

# --- Partners: payment gateway and courier ---------------------------------------------
# The address partners call back (payment notifications, courier webhooks) and that
# jobs use to build links, without a request to read it from.
SITE_URL = os.environ.get(
    "GOVSTORE_SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
).rstrip("/")
# "sandbox" is the built-in gateway under /sandbox/pay/ speaking the Alipay open API
# protocol; "alipay" is the same protocol against the real gateway; "alipay-sdk" goes
# through the official SDK.
PAYMENTS_PROVIDER = os.environ.get("PAYMENTS_PROVIDER", "sandbox")
# Where the sandbox's and the merchant's RSA keys are made on first use.
PAYMENTS_KEYS_DIR = Path(os.environ.get("PAYMENTS_KEYS_DIR", VAR_DIR / "payments"))
PAYMENTS_SANDBOX_APP_ID = os.environ.get("PAYMENTS_SANDBOX_APP_ID", "2026112400000001")
PAYMENTS_SANDBOX_SELLER_ID = os.environ.get("PAYMENTS_SANDBOX_SELLER_ID", "2088000000000001")
ALIPAY_APP_ID = os.environ.get("ALIPAY_APP_ID", "")
ALIPAY_SELLER_ID = os.environ.get("ALIPAY_SELLER_ID", "")
ALIPAY_GATEWAY_URL = os.environ.get("ALIPAY_GATEWAY_URL", "https://openapi.alipay.com/gateway.do")
ALIPAY_MERCHANT_PRIVATE_KEY_FILE = os.environ.get("ALIPAY_MERCHANT_PRIVATE_KEY_FILE", "")
ALIPAY_PUBLIC_KEY_FILE = os.environ.get("ALIPAY_PUBLIC_KEY_FILE", "")
# A trade still unpaid on our side this long after the cashier opened is asked about.
PAYMENTS_LATE_NOTIFICATION_MINUTES = int(os.environ.get("PAYMENTS_LATE_NOTIFICATION_MINUTES", "5"))
DELIVERY_PROVIDER = os.environ.get("DELIVERY_PROVIDER", "sandbox")
# The webhook secret shared with the courier is made here on first use.
DELIVERY_KEYS_DIR = Path(os.environ.get("DELIVERY_KEYS_DIR", VAR_DIR / "delivery"))
# Seconds between the sandbox courier's tracking steps (picked up, in transit, ...).
DELIVERY_SANDBOX_STEP_SECONDS = int(os.environ.get("DELIVERY_SANDBOX_STEP_SECONDS", "60"))

# --- Security ----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
LANGUAGE_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The header only allows the domain onto browsers' preload lists; it is put there by
# submitting it, which stays a decision for whoever runs the domain.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
# Behind the TLS-terminating proxy, which says so in X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The load balancer's health check speaks plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/live$"]


def _websocket_sources(hosts: list[str], *, secure_only: bool) -> list[str]:
    """ws:/wss: sources for the site's own host names: browsers have not always counted
    a WebSocket to the same host as 'self'."""
    sources = []
    for host in hosts:
        # CSP host sources cannot name an IPv6 address; 'self' still covers it.
        if not host or host == "*" or host.startswith("["):
            continue
        name = "*" + host if host.startswith(".") else host
        for scheme in ("wss",) if secure_only else ("ws", "wss"):
            sources.append(f"{scheme}://{name}:*")
    return sources


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# Every page's scripts and styles come from our own static files: no inline script, no
# style attribute, no eval. The real payment gateway is the one other place a form may
# send the browser (the cashier redirect after "Pay").
_FORM_TARGETS = [SELF]
if PAYMENTS_PROVIDER != "sandbox" and _origin(ALIPAY_GATEWAY_URL):
    _FORM_TARGETS.append(_origin(ALIPAY_GATEWAY_URL))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # blob: for the photo the upload page shrinks on the phone before sending.
        "img-src": [SELF, "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF, *_websocket_sources(ALLOWED_HOSTS, secure_only=SECURE_SSL_REDIRECT)],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": _FORM_TARGETS,
        "frame-ancestors": [NONE],
    }
}

# Two-factor: staff, supervisors and the operator sign in with a password and then a
# 6-digit code from an authenticator app (TOTP); citizens are not asked. Turning it off
# is for development only.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "govstore")
# Wrong codes in a row (passwords are counted by axes) before the code step is paused
# for TWO_FACTOR_LOCKOUT_MINUTES.
TWO_FACTOR_FAILURE_LIMIT = int(os.environ.get("TWO_FACTOR_FAILURE_LIMIT", "5"))
TWO_FACTOR_LOCKOUT_MINUTES = int(
    os.environ.get("TWO_FACTOR_LOCKOUT_MINUTES", os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
)
# Staff sessions end after this much inactivity (sliding); citizens keep SESSION_COOKIE_AGE.
STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "30"))

# Rate limits (govstore/core/ratelimit.py): "N/period", period in s, m, h or d.
RATE_LIMIT_KEY_PREFIX = os.environ.get("RATE_LIMIT_KEY_PREFIX", "ratelimit")
RATE_LIMITS = {
    # New accounts per address.
    "signup": os.environ.get("RATE_LIMIT_SIGNUP", "10/h"),
    # Sign-in attempts per address, whatever the number tried (axes locks one number
    # on one address after LOGIN_FAILURE_LIMIT wrong passwords).
    "login": os.environ.get("RATE_LIMIT_LOGIN", "30/10m"),
    # Sign-in attempts per mobile number, from any address.
    "login_account": os.environ.get("RATE_LIMIT_LOGIN_ACCOUNT", "20/h"),
    # Verification codes sent by SMS, per account or address.
    "sms_code": os.environ.get("RATE_LIMIT_SMS_CODE", "5/h"),
    # Chat messages per account, over all its conversations.
    "message": os.environ.get("RATE_LIMIT_MESSAGE", "30/m"),
    # Bids and automatic-bid changes per account.
    "bid": os.environ.get("RATE_LIMIT_BID", "60/m"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "govstore.ratelimit": {"level": "WARNING"}},
}

# --- Product settings --------------------------------------------------------------------
# Rows per page on every paginated list.
PAGE_SIZE = int(os.environ.get("PAGE_SIZE", "20"))

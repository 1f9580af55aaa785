"""The one settings module.

Development and production differ only through environment variables:
DEBUG, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, CACHE_URL, EMAIL_URL, COOP4INT_DATA_DIR,
TRUSTED_PROXIES (and TASKS_URL to move background work to Redis). See README.md.
"""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import environ
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from coop4int.core.client_address import parse_networks
from coop4int.core.media_storage import media_storage

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
DATA_DIR = Path(env.str("COOP4INT_DATA_DIR", default=str(REPO_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# A development key is only ever used with DEBUG on; production refuses to start without one.
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-development-key-only-for-debug" if DEBUG else environ.Env.NOTSET,
)
# Secrets stored in the database that must be read back (authenticator keys) are encrypted with
# these Fernet keys (comma-separated): the first encrypts, every one decrypts; see
# coop4int.accounts.encryption and `coop4int rotate_encryption_keys`. With DEBUG on and none
# given, one derived from SECRET_KEY; production refuses to start without them.
FIELD_ENCRYPTION_KEYS = [
    key.strip()
    for key in env.list(
        "FIELD_ENCRYPTION_KEYS",
        default=[
            base64.urlsafe_b64encode(
                hashlib.sha256(f"coop4int field encryption {SECRET_KEY}".encode()).digest()
            ).decode()
        ]
        if DEBUG
        else environ.Env.NOTSET,
    )
]
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "coop4int.core",
    "coop4int.accounts",
    "coop4int.directory",
    "coop4int.content",
    "coop4int.people",
    "coop4int.cases",
    "coop4int.appointments",
    "coop4int.learning",
    "coop4int.observatory",
    "coop4int.localplans",
    "coop4int.privacy",
    "coop4int.portal",
    "coop4int.api",
    "coop4int.backoffice",
    "coop4int.demo",
]

MIDDLEWARE = [
    # First: the client's address and scheme behind trusted proxies (TRUSTED_PROXIES), before
    # anything reads them.
    "coop4int.core.client_address.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "coop4int.core.middleware.RequestContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what the middleware below writes; WhiteNoise serves static files compressed
    # already. Never a page for one person (BREACH: docs/adr/0011-compression.md).
    "coop4int.core.compression.PublicGZipMiddleware",
    # Cache-Control: private, no-store on pages for one person; inside the compression, which
    # then leaves them uncompressed.
    "coop4int.core.middleware.PersonalPagesMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "coop4int.core.middleware.ReaderLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "coop4int.accounts.middleware.SessionLifetimeMiddleware",
    "coop4int.accounts.middleware.StaffVerificationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coop4int.urls"
WSGI_APPLICATION = "coop4int.wsgi.application"

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
                "coop4int.core.context_processors.language",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'coop4int.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN,
    # so two writers queue on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
        ),
    }
    # Tests use a file, not memory: the browser tests' live server answers from other threads,
    # and an in-memory database shared between threads fails when they close it. One file per
    # test process, so that two runs side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Backups (`coop4int backup` / `restore`, coop4int.core.backup) --------------------------
# Kept outside the database, so that a restore can erase again whoever asked to be forgotten
# after the backup was made: person ids and times only.
ERASURE_JOURNAL = Path(env.str("ERASURE_JOURNAL", default=str(DATA_DIR / "erasure-journal.jsonl")))
# The key of encrypted backups (Fernet.generate_key() form): a file, or the value itself.
BACKUP_KEY_FILE = env.str("BACKUP_KEY_FILE", default="")
BACKUP_KEY = env.str("BACKUP_KEY", default="")

# One cache that every process of every app server shares, because rate-limit counters live in
# it (docs/adr/0013-shared-cache-and-proxies.md): by default a table in the database (created by
# core's migrations), or Redis with CACHE_URL=redis://… (Django's own Redis backend).
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://coop4int_cache")}
if CACHES["default"]["BACKEND"].endswith(".DatabaseCache"):
    # Django's default of 300 entries would cull the counters as soon as the directory's pages
    # filled the table.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 50_000)
elif env.str("CACHE_URL", default="").startswith(("redis://", "rediss://")):
    CACHES["default"]["BACKEND"] = "django.core.cache.backends.redis.RedisCache"

# --- Background tasks -----------------------------------------------------------------------
# "database" (default): django-tasks-db and the worker that `coop4int serve` starts.
# "immediate": run in the calling process (tests). "redis://…": django-tasks-rq.
TASKS_URL = env.str("TASKS_URL", default="database")
if TASKS_URL.startswith(("redis://", "rediss://")):
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": TASKS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_URL == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Periodic jobs: (name, task, period). See coop4int.core.periodic.
PERIODIC_TASKS = [
    ("directory.roll_open_intervals", "coop4int.directory.tasks.roll_open_intervals",
     timedelta(hours=6)),
    ("directory.remind_unverified", "coop4int.directory.tasks.remind_unverified_services",
     timedelta(days=1)),
    ("content.remind_health", "coop4int.content.tasks.remind_content_health",
     timedelta(days=1)),
    ("channels.poll_mailboxes", "coop4int.channels.tasks.poll_mailboxes",
     timedelta(minutes=env.int("MAILBOX_POLL_MINUTES", default=5))),
    ("people.apply_retention", "coop4int.people.tasks.apply_retention_schedule",
     timedelta(days=1)),
    ("privacy.remind_breaches", "coop4int.privacy.tasks.remind_breaches",
     timedelta(hours=1)),
    # A place offered from a waiting list and not taken in time goes to the next person.
    ("appointments.lapse_offers", "coop4int.appointments.tasks.lapse_offers",
     timedelta(minutes=5)),
    # The reminder the day before an appointment (each booking reminded once).
    ("appointments.send_reminders", "coop4int.appointments.tasks.send_reminders",
     timedelta(minutes=15)),
    # A ticket's phone number (for its link and the "third in line" message) is kept only for
    # the location's day.
    ("appointments.clear_ticket_phones",
     "coop4int.appointments.queue_tasks.clear_ticket_phones_task", timedelta(hours=1)),
    # The reminder the day before a course session starts (each enrolment reminded once).
    ("learning.send_reminders", "coop4int.learning.tasks.send_reminders",
     timedelta(minutes=30)),
    # Once a quarter has ended, the platform's own tables of it are drafted for an analyst to
    # review and publish (each quarter once).
    ("observatory.draft_platform_tables", "coop4int.observatory.tasks.draft_platform_tables",
     timedelta(days=1)),
]  # fmt: skip

# --- E-mail ---------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Coop4Int <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people reach the platform at: links in e-mails sent without a request at hand.
PUBLIC_URL = env.str("PUBLIC_URL", default="http://127.0.0.1:8000")
# The support desk's mailbox: replies to people come from it, and their answers go back to it.
CASES_FROM_EMAIL = env.str("CASES_FROM_EMAIL", default="Coop4Int <apoio@localhost>")
CASES_MAIL_DOMAIN = env.str("CASES_MAIL_DOMAIN", default="coop4int.localhost")
# Working hours to a first reply when no response-time target is set for a case's topics.
CASES_DEFAULT_RESPONSE_HOURS = env.int("CASES_DEFAULT_RESPONSE_HOURS", default=16)
STATISTICS_SMALL_CELL = env.int("STATISTICS_SMALL_CELL", default=5)
# The retention schedule (people.domain.retention, read through each app's personal_data
# declarations): whole years after which closed cases and public feedback are anonymised.
RETENTION_CLOSED_CASES_YEARS = env.int("RETENTION_CLOSED_CASES_YEARS", default=5)
RETENTION_FEEDBACK_YEARS = env.int("RETENTION_FEEDBACK_YEARS", default=2)
RETENTION_APPOINTMENTS_YEARS = env.int("RETENTION_APPOINTMENTS_YEARS", default=2)
RETENTION_TRAINING_YEARS = env.int("RETENTION_TRAINING_YEARS", default=10)

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "backoffice:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# Lock-out: 5 failures for one account from one address, then a cool-off.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "coop4int.accounts.views.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# The client's address behind trusted proxies, not the proxy's: otherwise every visitor would
# share one address and five wrong passwords would lock an account for everyone. Failures are
# counted in the database (axes' database handler), which every process shares.
AXES_CLIENT_IP_CALLABLE = "coop4int.core.client_address.client_address"

OTP_TOTP_ISSUER = "Coop4Int"
OTP_TOTP_THROTTLE_FACTOR = 1

# Sessions end after 30 minutes idle and 12 hours at most (SessionLifetimeMiddleware).
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security -------------------------------------------------------------------------------
# The reverse proxies in front of the app servers (addresses or networks, comma-separated):
# only from them are X-Forwarded-For and X-Forwarded-Proto believed (core.client_address);
# `coop4int serve` hands the same list to gunicorn.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
try:
    parse_networks(TRUSTED_PROXIES)
except ValueError as error:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error
# Messages after an action, in a cookie named here (core.message_storage), then the session.
MESSAGE_STORAGE = "coop4int.core.message_storage.NamedFallbackStorage"
MESSAGE_COOKIE_NAME = "messages"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # Production: HTTPS only, cookies bound to the exact host (__Host- prefix).
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # No SECURE_PROXY_SSL_HEADER: Django would believe X-Forwarded-Proto from anyone. The scheme
    # comes from TrustedProxyMiddleware, through TRUSTED_PROXIES only.
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-language"
    MESSAGE_COOKIE_NAME = "__Host-messages"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# --- Languages ------------------------------------------------------------------------------
# Cape Verdean Creole (Kabuverdianu) is not in Django's table; CLDR (Babel) knows it as "kea".
LANG_INFO["kea"] = {
    "bidi": False,
    "code": "kea",
    "name": "Kabuverdianu",
    "name_local": "Kabuverdianu",
}
LANGUAGE_CODE = "pt"
LANGUAGES = [
    ("pt", _("Portuguese")),
    ("kea", _("Cape Verdean Creole")),
    ("en", _("English")),
    ("fr", _("French")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Atlantic/Cape_Verde"

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded files: under the data directory, or in one S3 bucket that every app server reaches
# (MEDIA_STORAGE_URL=s3://bucket?endpoint_url=…, keys in AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY; see coop4int.core.media_storage and docs/deploy.md).
STORAGES = {
    "default": media_storage(env.str("MEDIA_STORAGE_URL", default="")),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365

# Every handler carries the "redact_secrets" filter (tracking links, reset tokens, signatures and
# session ids never reach a log: coop4int.core.log_redaction). Django's own handlers
# (DEFAULT_LOGGING: "django" and "django.server") are replaced, so its lines go through it too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "coop4int.core.log_redaction.RedactingFilter"},
        # A refused request (403…) in one line, without a traceback (core.log_filters): on the
        # loggers that log them, so every handler gets the one line, and on the handler for
        # the other django.security.* loggers.
        "client_errors": {"()": "coop4int.core.log_filters.ClientErrorsInOneLine"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets", "client_errors"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint (certificates' PDF) logs every step of every drawing at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"filters": ["client_errors"]},
        "django.security": {"filters": ["client_errors"]},
        "django.security.csrf": {"filters": ["client_errors"]},
    },
}

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# The OpenAPI document of the public app API (/api/v1/schema/).
SPECTACULAR_SETTINGS = {
    "TITLE": "Coop4Int API",
    "DESCRIPTION": "The public app API: appointments at the local support units.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The deployment check would build a document of every DRF view, the HSDS API's too (which
    # has its own published schema); the v1 document is built and validated by its tests.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}

# --- SMS and WhatsApp -----------------------------------------------------------------------
# The gateway (coop4int.channels.providers.PROVIDERS); its webhook is /hooks/messaging/<name>/.
MESSAGING_PROVIDER = env.str("MESSAGING_PROVIDER", default="twilio")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
# Signs Twilio's webhooks: without it every incoming message is refused.
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_SMS_FROM = env.str("TWILIO_SMS_FROM", default="")
TWILIO_WHATSAPP_FROM = env.str("TWILIO_WHATSAPP_FROM", default="")
# Twilio's REST API; a regional edge (https://api.dublin.ie1.twilio.com) may be closer.
TWILIO_API_URL = env.str("TWILIO_API_URL", default="https://api.twilio.com")
# Appointment messages start the conversation, so on WhatsApp they need an approved template:
# message key → the gateway's template id, e.g. "booking_reminder=HX0123…,place_offered=HX4567…".
# A message without one goes by SMS.
APPOINTMENT_WHATSAPP_TEMPLATES: dict[str, str] = env.dict(
    "APPOINTMENT_WHATSAPP_TEMPLATES", default={}
)
# The same for training messages (coop4int.learning.notify): "enrolment_accepted=HX…,…".
LEARNING_WHATSAPP_TEMPLATES: dict[str, str] = env.dict("LEARNING_WHATSAPP_TEMPLATES", default={})

# --- Certificates (Open Badges 3.0, coop4int.learning.credentials) --------------------------
# The Ed25519 keys that sign certificates and their status lists, comma-separated: each a path
# to a PEM file (PKCS#8 private key, or a public key kept to verify what an old key signed) or
# "base64url:<32-byte private seed>". The first signs; every one is published in the issuer
# profile, so certificates signed with an older key still verify. To rotate: put a new key
# first (`coop4int credentials new-key`), keep the old ones after it. With DEBUG on and none
# given, one derived from SECRET_KEY; without any, certificates cannot be issued (a system
# check says so).
CREDENTIAL_SIGNING_KEYS = env.list(
    "CREDENTIAL_SIGNING_KEYS",
    default=[
        "base64url:"
        + base64.urlsafe_b64encode(
            hashlib.sha256(f"coop4int credential signing {SECRET_KEY}".encode()).digest()
        )
        .decode()
        .rstrip("=")
    ]
    if DEBUG
    else [],
)
# The issuer named in every certificate (an Open Badges Profile).
CREDENTIAL_ISSUER_NAME = env.str(
    "CREDENTIAL_ISSUER_NAME", default="Alta Autoridade para a Imigração — Cabo Verde"
)
CREDENTIAL_ISSUER_EMAIL = env.str("CREDENTIAL_ISSUER_EMAIL", default="")

# --- Migration Observatory (coop4int.observatory) -------------------------------------------
# The publisher named in the open-data catalogue (DCAT-AP) and in every data package.
OPENDATA_PUBLISHER_NAME = env.str(
    "OPENDATA_PUBLISHER_NAME", default="Alta Autoridade para a Imigração — Cabo Verde"
)
OPENDATA_PUBLISHER_URL = env.str("OPENDATA_PUBLISHER_URL", default="")
# The largest file an analyst may upload to import, in megabytes. An upload is imported within
# its request, which gunicorn ends after 30 s: 40 MB is about 700,000 SDMX-CSV observations,
# some 16 s (docs/benchmarks.md). Larger files go through `coop4int import_dataset`, which has
# no limit.
OBSERVATORY_UPLOAD_MAX_MB = env.int("OBSERVATORY_UPLOAD_MAX_MB", default=40)
# The largest study (PDF) an analyst may add, in megabytes.
OBSERVATORY_STUDY_MAX_MB = env.int("OBSERVATORY_STUDY_MAX_MB", default=50)

"""Settings shared by every environment. Everything that differs per deployment comes from
the environment through the strict readers in ``env.py``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_choice, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", "")  # development and test set their own; production requires it
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "pghistory.admin",  # above django.contrib.admin so its templates win
    "harassment_portal.apps.PortalAdminConfig",  # django.contrib.admin on our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "harassment_portal.apps.SignInLockoutsConfig",  # django-axes, named in our languages
    "pgtrigger",
    "csp",
    "harassment_portal.apps.ChangeHistoryConfig",  # django-pghistory, likewise
    "accounts",
    # The second factor (mfa/): TOTP apps and passkeys through django-otp, recovery codes of ours.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "mfa",
    "policy",
    "incidents",
    "audit",  # the audit view and the disclosure log (issue 11)
    "dashboard",  # figures, their CSV and the monthly summary e-mail (issue 13)
    "outbox",
    # The REST API (issue 14): DRF, its OpenAPI schema, Swagger UI's files served from static/.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "harassment_portal.apps.PortalConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below), then Permissions-Policy and
    # no-store for signed-in sessions (harassment_portal/headers.py): after WhiteNoise, so
    # static files keep their cache lifetime.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "harassment_portal.headers.PrivatePageHeadersMiddleware",
    # Ends idle and over-long sessions before the sign-in checks that follow look at them.
    "harassment_portal.middleware.SessionIdleTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # request.user.is_verified(): whether this session passed a second factor.
    "django_otp.middleware.OTPMiddleware",
    # A half-signed-in session (password, no second factor yet) reaches only the factor step.
    "mfa.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # Last, so that a locked-out sign-in answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "harassment_portal.urls"
WSGI_APPLICATION = "harassment_portal.wsgi.application"

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
                "accounts.context_processors.capabilities",
                "incidents.context_processors.bell",
                "outbox.context_processors.outbox_banner",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_url(
    "DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/harassment_portal",
    schemes=("postgres", "postgresql"),
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
# JIT compilation off for the portal's connections, whatever the server's default: its queries
# are short index reads, and PostgreSQL compiled the costlier plans (over a million reports,
# a search's counts) at every execution, 0.28 s of a 1.5 s query under EXPLAIN ANALYZE.
# Parallel query off too: for a query that stops after a page of rows, starting workers cost
# more than they share (the search for 殴 at a million reports, 14 ms with two workers and 5
# without; the inbox's counts under a severity, 28 and 5 ms), and they take the cores that
# the other requests need.
DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off -c max_parallel_workers_per_gather=0"
# A read replica (optional): the dashboard's figures and the CSV exports read it, so that
# long aggregate reads and downloads do not compete with the pages on the primary
# (harassment_portal/routers.py). Everything else, and every write, stays on the primary.
DATABASE_REPLICA_URL = env_url("DATABASE_REPLICA_URL", "", schemes=("postgres", "postgresql"))
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"]["OPTIONS"])
    # Tests: no second test database; the replica alias reads the primary's.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["harassment_portal.routers.ReportingRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: the Celery broker and the cache ------------------------------------------------
REDIS_URL = env_url("REDIS_URL", "redis://127.0.0.1:6379/0", schemes=("redis", "rediss"))
REDIS_TIMEOUT_SECONDS = 2
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "hp",
        "OPTIONS": {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
        },
    },
    # Parts of pages rendered once per process ({% fragment %}, incidents/templatetags/
    # fragments.py): in its own memory, so that no page waits on Redis for them.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}

# --- Accounts, sessions and sign-in -----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PortalBackend",  # Django's ModelBackend, the user read faster
]
LOGIN_URL = "login"
# A reset link sits in an inbox and in the outbox's table: it opens the account for an hour,
# not Django's three days (accounts/password_reset.py).
PASSWORD_RESET_TIMEOUT = 60 * 60
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's sessions in PostgreSQL, read by a statement compiled once (accounts/session_store.py).
SESSION_ENGINE = "accounts.session_store"
# The portal holds personal data: a session ends after eight idle hours (one working day at a
# shared tablet) and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=300)
# ASVS 3.3.2, enforced server-side by SessionIdleTimeoutMiddleware (accounts/sessions.py):
# privileged roles' sessions end after 30 idle minutes, front-desk staff's after a working day
# (at most the cookie's age), and every session 12 hours after signing in. Which roles are
# privileged: accounts/policy.py (idle_timeout_seconds).
SESSION_IDLE_PRIVILEGED_SECONDS = env_int("SESSION_IDLE_PRIVILEGED_SECONDS", 30 * 60, minimum=60)
SESSION_IDLE_STAFF_SECONDS = min(
    env_int("SESSION_IDLE_STAFF_SECONDS", SESSION_COOKIE_AGE, minimum=60), SESSION_COOKIE_AGE
)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60, minimum=300)
# The idle warning shows this long before the end (static/js/session-timeout.js).
SESSION_WARNING_SECONDS = 5 * 60
# Approving a decision, exporting, changing roles: her password again when she has not given it
# (or signed in) within this many seconds (accounts/reauth.py, ASVS 3.7.1).
REAUTH_MAX_AGE_SECONDS = env_int("REAUTH_MAX_AGE_SECONDS", 5 * 60, minimum=30)
# Not saved on every request: a GET must not write (nor fail with SessionInterrupted when the
# write fails). SessionIdleTimeoutMiddleware marks activity at most once per
# SESSION_REFRESH_SECONDS instead, so the idle timeout ends up to that much earlier.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = min(5 * 60, SESSION_COOKIE_AGE // 4, SESSION_IDLE_PRIVILEGED_SECONDS // 6)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# django-axes: five wrong passwords lock that username from that address for 15 minutes;
# beside it, ceilings per account and per address (accounts/lockout.py says why not in axes).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# A failure while locked is refused unchecked and counts nowhere: nobody can keep a lock on by
# trying again and again, every lock ends a cool-off after it was set.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# ASVS 2.2.1 (at most 100 failures an hour per account): 10 failures of one account within
# 15 minutes, from any addresses, lock it everywhere for the cool-off.
LOCKOUT_ACCOUNT_FAILURES = env_int("LOCKOUT_ACCOUNT_FAILURES", 10, minimum=1)
LOCKOUT_ACCOUNT_WINDOW_SECONDS = env_int("LOCKOUT_ACCOUNT_WINDOW_SECONDS", 15 * 60, minimum=60)
# Password spraying: 30 failures from one address within an hour, across usernames, lock the
# address for the cool-off. An office behind one router has room for its own typing errors.
LOCKOUT_ADDRESS_FAILURES = env_int("LOCKOUT_ADDRESS_FAILURES", 30, minimum=1)
LOCKOUT_ADDRESS_WINDOW_SECONDS = env_int("LOCKOUT_ADDRESS_WINDOW_SECONDS", 60 * 60, minimum=60)
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
# A username too long for axes's column is cut to fit it (a sign-in must never answer 500).
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
# The check-in lookup's sliding window (incidents/services/checkin.py). At the start of a busy
# session one tablet checks in a candidate every ten seconds or so and a member of staff may
# move between tablets; a sweep through candidate IDs runs into either limit within minutes.
CHECKIN_LOOKUPS_PER_DEVICE = env_int("CHECKIN_LOOKUPS_PER_DEVICE", 60, minimum=1)
CHECKIN_LOOKUPS_PER_USER = env_int("CHECKIN_LOOKUPS_PER_USER", 120, minimum=1)
CHECKIN_WINDOW_SECONDS = env_int("CHECKIN_WINDOW_SECONDS", 10 * 60, minimum=1)
# The second factor (mfa/, DESIGN.md §8): asked of every role named here and of everyone who
# may open Django admin; MFA_REQUIRED_FOR_EVERY_ROLE asks it of front-desk staff too. Checked
# against the roles by `manage.py check` (mfa/checks.py).
MFA_REQUIRED_ROLES = env_list(
    "MFA_REQUIRED_ROLES", ["supervisor", "manager", "legal", "staff_care", "admin"]
)
MFA_REQUIRED_FOR_EVERY_ROLE = env_bool("MFA_REQUIRED_FOR_EVERY_ROLE", False)
MFA_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = "Harassment Portal"
# Passkeys: a second factor after the password, never instead of it (the password step is
# where lockout and throttling live). The relying party is SITE_URL's host (mfa/webauthn.py).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_HELPER_CLASS = "mfa.webauthn.PortalWebAuthnHelper"
OTP_WEBAUTHN_RP_NAME = "Harassment Portal"
# Development and test only: passkeys for whatever host and port the page was served from (a
# live test server's random port); production takes them from SITE_URL and refuses this.
WEBAUTHN_ORIGIN_FROM_REQUEST = False
# Development and test only: the TOTP secret seed_demo enrols for the demo's privileged users
# (`manage.py demo_totp <username>` prints the current code); production refuses it.
DEMO_TOTP_SECRET = ""
# A reverse proxy terminates TLS and sets X-Forwarded-Proto and X-Forwarded-For.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
# How many proxies of ours append to X-Forwarded-For (accounts/client_ip.py): the client's
# address is that many entries from the right. One with BEHIND_TLS_PROXY, else none.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0)

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static files (Bootstrap and its icons are vendored under static/, no CDN) ---------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- /healthz (harassment_portal/health.py) --------------------------------------------------
# Monitoring that sends this in an X-Healthz-Token header gets the live worker check; anonymous
# callers get one at most 15 seconds old. Empty: only signed-in administrators get it live.
HEALTHZ_TOKEN = env_str("HEALTHZ_TOKEN", "")

# --- Content-Security-Policy and Permissions-Policy (harassment_portal/headers.py) --------
# No inline script or style anywhere: a script that slipped into a stored text field cannot
# run. Scripts and styles come from static/ (no CDN); Bootstrap's CSS draws its checkboxes
# and select arrows as data: SVG images. No frames of ours and none around us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Nothing here needs a camera, a microphone or a position (a tablet's "take a photo" for
# evidence opens the camera app through the file input, which this does not govern);
# passkeys (django-otp-webauthn) need the Web Authentication API on our own origin.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "publickey-credentials-get=(self), publickey-credentials-create=(self)"
)

# --- Evidence files: outside any public URL, served only by the permission-checked view -----
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private-media")))
EVIDENCE_MAX_FILES = env_int("EVIDENCE_MAX_FILES", 10, minimum=1)
EVIDENCE_MAX_MB = env_int("EVIDENCE_MAX_MB", 20, minimum=1)
# The most characters in one free-text field of a report or an addendum, as the forms say.
# The database refuses more than 50,000 (incidents.models.reports.REPORT_TEXT_LIMIT): this
# may lower the limit, never raise it.
REPORT_TEXT_MAX_CHARS = env_int("REPORT_TEXT_MAX_CHARS", 50_000, minimum=1)
if REPORT_TEXT_MAX_CHARS > 50_000:
    raise ImproperlyConfigured(
        f"REPORT_TEXT_MAX_CHARS={REPORT_TEXT_MAX_CHARS} is above the database's limit of 50000."
    )
# A request's body without its files (files are not counted): ten text fields at the limit,
# each character up to 9 bytes (3 in UTF-8, percent-encoded as %XX each). Text a little over
# the limit then comes back in the form with its message, not as a bare 400 that loses it.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(2_621_440, 10 * 9 * REPORT_TEXT_MAX_CHARS)
# Uploads above this size go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# --- Retention (APPI: personal data is deleted once no longer needed; services.retention) ---
# Years after a case file closes before the candidate's name and contact and the evidence
# files of its reports are removed (a legal hold stops it); days before a draft that was never
# submitted is deleted with its files; how many of each one run of the task takes.
RETENTION_CASE_FILE_YEARS = env_int("RETENTION_CASE_FILE_YEARS", 5, minimum=1)
RETENTION_DRAFT_DAYS = env_int("RETENTION_DRAFT_DAYS", 30, minimum=1)
RETENTION_BATCH_SIZE = env_int("RETENTION_BATCH_SIZE", 500, minimum=1)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A hung SMTP server must not hold a worker for ever: delivery retries instead.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
# With EMAIL_HOST: Django's SMTP backend, telling "never sent" from "maybe delivered"
# (outbox/smtp.py). Without (development): each e-mail printed as it reads, not as MIME.
EMAIL_BACKEND = "outbox.smtp.EmailBackend" if EMAIL_HOST else "outbox.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "harassment-portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The portal's public address, for links in e-mails.
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https"))


def passkey_relying_party(site_url: str) -> tuple[str, list[str]]:
    """Passkeys belong to the portal's public address: its host name and its origin
    (django-otp-webauthn's OTP_WEBAUTHN_RP_ID and OTP_WEBAUTHN_ALLOWED_ORIGINS)."""
    parts = urlsplit(site_url)
    return parts.hostname or "", [f"{parts.scheme}://{parts.netloc}"]


OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = passkey_relying_party(SITE_URL)

# --- Celery (read by harassment_portal/celery.py with the CELERY_ prefix) --------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# At-least-once delivery: a task is acknowledged only after it ran, and a worker that dies
# mid-task gives it back to the queue. Every task is therefore idempotent (it locks its row).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT_SECONDS
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # An unacknowledged task comes back after an hour; no task of ours runs that long.
    "visibility_timeout": 60 * 60,
    "socket_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
    "max_retries": 1,
}
# Publishing from a web request gives up after about five seconds when Redis is down: the row
# in PostgreSQL is the truth and the beat sweep queues it again later.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# --- The outbox: every e-mail is a row first, delivered from it (outbox/services.py) --------
# Retried with exponential backoff (base, capped) for the retry window before it is marked
# failed; the sweep runs every OUTBOX_SWEEP_SECONDS and queues again a task lost with the
# broker after OUTBOX_REQUEUE_AFTER_SECONDS. The reply to a whole message is awaited as long as
# RFC 5321 asks (ten minutes). Mail still waiting after OUTBOX_ALERT_AFTER_SECONDS shows in the
# admins' banner and in /healthz.
OUTBOX_RETRY_WINDOW_SECONDS = env_int("OUTBOX_RETRY_WINDOW_SECONDS", 72 * 60 * 60, minimum=1)
OUTBOX_BACKOFF_BASE_SECONDS = env_int("OUTBOX_BACKOFF_BASE_SECONDS", 30, minimum=1)
OUTBOX_BACKOFF_MAX_SECONDS = env_int("OUTBOX_BACKOFF_MAX_SECONDS", 30 * 60, minimum=1)
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 60, minimum=1)
OUTBOX_REQUEUE_AFTER_SECONDS = env_int("OUTBOX_REQUEUE_AFTER_SECONDS", 120, minimum=1)
OUTBOX_SMTP_DATA_TIMEOUT_SECONDS = env_int("OUTBOX_SMTP_DATA_TIMEOUT_SECONDS", 600, minimum=1)
OUTBOX_ALERT_AFTER_SECONDS = env_int("OUTBOX_ALERT_AFTER_SECONDS", 15 * 60, minimum=1)
# A web request waits at most this long for the broker to take a task, then leaves it to the
# sweeps, and does not try the broker again for the pause (harassment_portal/queue.py).
TASK_PUBLISH_TIMEOUT_SECONDS = 0.5
TASK_PUBLISH_PAUSE_SECONDS = 10
# Where complaints found legitimate (not harassment) are sent to be answered; empty: nowhere.
CUSTOMER_SERVICE_EMAIL = env_str("CUSTOMER_SERVICE_EMAIL", "")
ADMINS = [("Portal admins", a) for a in env_list("ADMIN_EMAILS", [])]

CELERY_BEAT_SCHEDULE = {
    # Nothing is lost: e-mails that are due are queued (again).
    "sweep-outbox": {
        "task": "outbox.tasks.sweep_outbox",
        "schedule": float(OUTBOX_SWEEP_SECONDS),
    },
    # Nothing waits unseen: overdue escalations go up a level.
    "sweep-escalations": {
        "task": "incidents.tasks.sweep_escalations",
        "schedule": 60.0,
    },
    # A refusal of testing ends on its date: the check-in desk must not see it a day longer.
    "expire-restrictions": {
        "task": "incidents.tasks.expire_restrictions",
        "schedule": crontab(minute="*/15"),
    },
    # Personal data past its retention period goes each night (`manage.py retention
    # --dry-run` lists what is due).
    "apply-retention": {
        "task": "incidents.tasks.apply_retention",
        "schedule": crontab(hour=2, minute=45),
    },
    # Evidence files without their row, and rows that lost their file, are logged each night
    # (`manage.py evidence_orphans --delete` removes the files).
    "log-evidence-orphans": {
        "task": "harassment_portal.tasks.log_evidence_orphans",
        "schedule": crontab(hour=3, minute=30),
    },
    # The monthly summary goes to managers on the first working day of the month, which the
    # task works out (weekends and the New Year and Golden Week holidays): on any other day
    # it sends nothing. Each hour of the morning of the month's first week, so that a worker
    # down at 08:00 still sends it that morning, and once only (one outbox row per month and
    # recipient).
    "send-monthly-summary": {
        "task": "dashboard.tasks.send_monthly_summary",
        "schedule": crontab(minute=0, hour="8-11", day_of_month="1-7"),
    },
}

# --- History (django-pghistory) ---------------------------------------------------------------
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PGHISTORY_APPEND_ONLY = True
PGHISTORY_ADMIN_CLASS = "harassment_portal.history.ConfigurationEventsAdmin"

# --- The REST API (api/) -----------------------------------------------------------------------
REST_FRAMEWORK = {
    # A token first: without credentials the answer is 401 with WWW-Authenticate: Bearer.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.PersonalTokenAuthentication",
        "api.authentication.SignedInSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.PerTokenThrottle",
        "api.throttling.PerUserThrottle",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PortalCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.problem_details_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Requests per sliding window of API_THROTTLE_WINDOW_SECONDS (api/throttling.py): per token
# (one system gone wild) and per user (all her tokens and her browser together).
API_THROTTLE_WINDOW_SECONDS = env_int("API_THROTTLE_WINDOW_SECONDS", 60, minimum=1)
API_REQUESTS_PER_TOKEN = env_int("API_REQUESTS_PER_TOKEN", 120, minimum=1)
API_REQUESTS_PER_USER = env_int("API_REQUESTS_PER_USER", 240, minimum=1)
# A personal token lives at most this many days; the tokens page offers shorter lives.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365, minimum=1)
SPECTACULAR_SETTINGS = {
    "TITLE": "Harassment Portal API",
    "DESCRIPTION": (
        "What a signed-in user sees in the portal, for other systems: a personal token "
        "(Authorization: Bearer hp_…) acts as the person who made it. Errors are RFC 9457 "
        "problem details in the language of Accept-Language."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set wherever it is used (reports', case files' and decisions').
    "ENUM_NAME_OVERRIDES": {
        "SeverityEnum": "policy.models.Severity",
        "ReportStatusEnum": "incidents.models.ReportStatus",
        "CaseFileStatusEnum": "incidents.models.CaseFileStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
    ],
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No API token reaches a log line, whoever logs it (api/log_redaction.py).
    "filters": {"redact_tokens": {"()": "api.log_redaction.RedactTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tokens"],
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
    },
    "loggers": {"axes": {"level": "WARNING"}},
}

# Only development and test may load demo users with a known password (seed_demo).
DEMO_DATA_ALLOWED = False

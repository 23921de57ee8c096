"""The test suite: real PostgreSQL and Redis, but its own Redis database so that a running
development worker never picks up a test's tasks (nor answers its health check)."""

import os

from .base import *  # noqa: F403
from .env import env_url

SECRET_KEY = "test-only-not-secret-" + "x" * 40
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
# Parallel test processes (pytest-xdist's gw0, gw1…) each have a database of their own
# (pytest-django adds the suffix) and a Redis database of their own, counting down from 15.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_REDIS_DB = 15 - int(_XDIST_WORKER[2:]) if _XDIST_WORKER.startswith("gw") else 15
REDIS_URL = env_url(
    "TEST_REDIS_URL", f"redis://127.0.0.1:6379/{_REDIS_DB}", schemes=("redis", "rediss")
)
CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
CELERY_BROKER_URL = REDIS_URL
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; tests only
# In-memory mail, unless a test points EMAIL_HOST at its own SMTP server (the delivery tests
# start one on loopback and a worker process with EMAIL_HOST set).
if not EMAIL_HOST:  # noqa: F405
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files come straight from static/ and the apps (WhiteNoise's finders), no collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True

DEMO_DATA_ALLOWED = True

# Evidence written by tests stays apart from a developer's own demo evidence.
PRIVATE_MEDIA_ROOT = BASE_DIR / "var" / "test-private-media"  # noqa: F405

# The demo's second factor as in development (tests sign in with its codes), and passkeys for
# the live server's random port.
DEMO_TOTP_SECRET = "KVKFKRCPNZQUYMLXOVYDSQKJKZDTSRLD"  # noqa: S105  (the demo's, known on purpose)
WEBAUTHN_ORIGIN_FROM_REQUEST = True
OTP_WEBAUTHN_RP_ID = "localhost"
OTP_WEBAUTHN_ALLOWED_ORIGINS = ["http://localhost"]

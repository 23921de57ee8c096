"""Production: every secret and address from the environment, HTTPS only.

Passes ``manage.py check --deploy --fail-level WARNING``.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_list, env_str, env_url

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Escalation e-mails are the point of the portal: production never prints them to a console.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = "outbox.smtp.EmailBackend"  # Django's SMTP, telling "maybe delivered" apart
# Links in e-mails must point at the real portal, never at a developer's machine.
SITE_URL = env_url("SITE_URL", None, schemes=("https",))
OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = passkey_relying_party(SITE_URL)  # noqa: F405

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers probe /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a load balancer that terminates TLS and sets X-Forwarded-Proto.
if BEHIND_TLS_PROXY:  # noqa: F405
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# The demo's known TOTP secret must never reach a real deployment, where it would be a second
# factor everyone knows (seed_demo refuses to run here anyway).
if os.environ.get("DEMO_TOTP_SECRET"):
    raise ImproperlyConfigured(
        "DEMO_TOTP_SECRET is for development only: production refuses a known second factor."
    )

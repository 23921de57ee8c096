"""Production: every secret and address from the environment, HTTPS only.

Passes ``manage.py check --deploy --fail-level WARNING``.
"""

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

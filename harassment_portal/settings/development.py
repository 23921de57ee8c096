"""Local development: DEBUG on, e-mail to the console unless EMAIL_HOST is set."""

from .base import *  # noqa: F403
from .env import env_int, env_list, env_str, env_url

DEBUG = True
SECRET_KEY = env_str("SECRET_KEY", "development-only-not-secret-" + "x" * 32)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
# Static files come straight from static/ and the apps (WhiteNoise's finders), no collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Links in e-mails point at this instance: `make run PORT=8001` beside another on 8000 must
# mail links to itself, not to the other one. SITE_URL, when set, wins.
PORT = env_int("PORT", 8000, minimum=1)
SITE_URL = env_url("SITE_URL", f"http://127.0.0.1:{PORT}", schemes=("http", "https"))

DEMO_DATA_ALLOWED = True

# The demo's second factor (mfa/): a known TOTP secret that `make run` prints, and passkeys for
# whichever port this instance serves on.
DEMO_TOTP_SECRET = env_str("DEMO_TOTP_SECRET", "KVKFKRCPNZQUYMLXOVYDSQKJKZDTSRLD")
WEBAUTHN_ORIGIN_FROM_REQUEST = True
# What django-otp-webauthn's checks read (the requests' own host is used, see above). Passkeys
# need a host name: open the demo at http://localhost:PORT/, not 127.0.0.1, to try them.
OTP_WEBAUTHN_RP_ID = "localhost"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"http://localhost:{PORT}"]

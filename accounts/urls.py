from django.urls import path

from . import reauth, sessions, views
from .password_reset import PortalPasswordResetView

# Ahead of django.contrib.auth.urls under accounts/: our sign-in view replaces Django's.
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("profile/", views.profile, name="profile"),
    # The idle warning asks how long is left, and "Stay signed in" (accounts/sessions.py).
    path("session/", sessions.session_status, name="session_status"),
    # Her password again before the gravest acts (accounts/reauth.py).
    path("confirm/", reauth.confirm, name="reauth_confirm"),
    # Rate-limited, through the outbox, its link on SITE_URL (accounts/password_reset.py);
    # the rest of the flow (the link, the new password) is Django's, with our templates.
    path("password_reset/", PortalPasswordResetView.as_view(), name="password_reset"),
]

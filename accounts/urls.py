from django.urls import path

from . import reauth, sessions, views

# Ahead of django.contrib.auth.urls under accounts/: our sign-in view replaces Django's.
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("profile/", views.profile, name="profile"),
    # The idle warning asks how long is left, and "Stay signed in" (accounts/sessions.py).
    path("session/", sessions.session_status, name="session_status"),
    # Her password again before the gravest acts (accounts/reauth.py).
    path("confirm/", reauth.confirm, name="reauth_confirm"),
]

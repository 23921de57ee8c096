"""Holds a half-signed-in session at the factor step."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from .gate import awaiting_second_factor

# What a session that owes its second factor may still open, besides the pages anyone may open
# signed out (sign-in, password reset, the language switch, /healthz): the factor step and
# first enrolment, the passkey ceremonies (their own checks refuse a second device before the
# first is used), the JavaScript catalog they read, the idle warning's status, and sign-out.
OPEN_WHILE_AWAITING = {
    "mfa:verify",
    "mfa:devices",
    "mfa:totp_enrol",
    "mfa:recovery_codes",
    "logout",
    "javascript-catalog",
    # How long her session has left (the idle warning's question; nothing of anyone's).
    "session_status",
}
OPEN_NAMESPACES = {"otp_webauthn"}


class SecondFactorMiddleware:
    """Every other page, the admin included, sends her to the factor step and back to where
    she was going afterwards. The REST API is not among them: Django REST framework's views
    are exempt from sign-in middleware, so api/authentication.py refuses a half-signed-in
    session itself (401), and a personal token is made only from a full sign-in. Placed
    after AuthenticationMiddleware, LoginRequiredMiddleware and django-otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, _view_args, _view_kwargs):
        # Pages for the signed-out (Django's login_not_required) show nothing of anyone's.
        if getattr(view_func, "login_required", True) is False:
            return None
        match = request.resolver_match
        if match.view_name in OPEN_WHILE_AWAITING or match.namespace in OPEN_NAMESPACES:
            return None
        if not awaiting_second_factor(request):
            return None
        return redirect_to_login(request.get_full_path(), reverse("mfa:verify"))

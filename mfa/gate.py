"""Whether a session still owes its second factor: the one question the middleware, the
sign-in view and the factor step ask."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.policy import capabilities_of

# Set at sign-in for someone who enrolled a device although her role does not require one:
# she chose a second factor, so her password alone must not be enough either.
ASKED_SESSION_KEY = "mfa_asked"


def second_factor_needed(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    return capabilities_of(user).needs_second_factor or bool(request.session.get(ASKED_SESSION_KEY))


def second_factor_passed(request: HttpRequest) -> bool:
    """The session passed a second factor (django-otp's OTPMiddleware checks that the device
    it names still exists and is hers)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def awaiting_second_factor(request: HttpRequest) -> bool:
    """Signed in with the password, the second factor not given yet: a half-signed-in
    session, which may do nothing but give it, enrol one, or sign out."""
    return second_factor_needed(request) and not second_factor_passed(request)


def second_factor_begin(request: HttpRequest) -> bool:
    """Right after the password: whether this session now owes a second factor. Someone who
    enrolled a device of her own accord is asked for it too."""
    from django_otp import user_has_device

    if user_has_device(request.user):
        request.session[ASKED_SESSION_KEY] = True
    return awaiting_second_factor(request)

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.policy import capabilities_of

from .selectors import outbox_state


def outbox_banner(request: HttpRequest) -> dict:
    """For admins, on every page: mail that is not leaving (read lazily, so pages that do
    not render the banner, and everyone else, run no query for it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "outbox_alert": SimpleLazyObject(
            lambda: outbox_state() if capabilities_of(user).sees_mail_alerts else None
        )
    }

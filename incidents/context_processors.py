from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors.escalations import bell_count, sees_all_escalations


def bell(request: HttpRequest) -> dict:
    """The navbar bell: the incidents the inbox shows the signed-in user to act on (an
    escalation she was told of that nobody acknowledged), counted lazily (pages that do not
    render the navbar run no query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "bell_count": SimpleLazyObject(lambda: bell_count(user)),
        "bell_for_all": SimpleLazyObject(lambda: sees_all_escalations(user)),
    }

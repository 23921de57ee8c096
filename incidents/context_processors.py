from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from mfa.gate import awaiting_second_factor

from .selectors.escalations import BellCount, bell_of, sees_all_escalations


def bell(request: HttpRequest) -> dict:
    """The navbar bell: the incidents the inbox shows the signed-in user to act on (an
    escalation she was told of that nobody acknowledged), counted lazily (pages that do not
    render the navbar run no query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Half signed in (no second factor yet, mfa/): no bell, not even a count.
    return {
        "bell": SimpleLazyObject(
            lambda: BellCount(0) if awaiting_second_factor(request) else bell_of(user)
        ),
        "bell_for_all": SimpleLazyObject(
            lambda: not awaiting_second_factor(request) and sees_all_escalations(user)
        ),
    }

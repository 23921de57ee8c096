from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from mfa.gate import awaiting_second_factor

from .policy import NOTHING, capabilities_of


def capabilities(request: HttpRequest) -> dict:
    """``can`` in every template: what the signed-in user may do, read lazily so that pages
    which never look (the sign-in page) run no query for it. Templates show or hide an action
    by asking ``can``, never by testing a role."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    # Half signed in (password, no second factor yet), her pages offer nothing yet.
    return {
        "can": SimpleLazyObject(
            lambda: NOTHING if awaiting_second_factor(request) else capabilities_of(user)
        )
    }

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import access_of


def roles(request: HttpRequest) -> dict:
    """``access`` in every template: the signed-in user's roles, read lazily so that pages
    which never look at roles (the sign-in page) run no query for them."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"access": SimpleLazyObject(lambda: access_of(user))}

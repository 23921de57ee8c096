"""Which account a failed sign-in counts against, for the lockout (django-axes)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

# axes keeps the username in a column of 255 characters. Django's sign-in form passes a longer
# one on to authentication unchecked, and its failure could not be recorded: the sign-in page
# answered a server error. No account has such a name (usernames have at most 150 characters),
# so its first 255 characters count the attempts as well.
LOCKOUT_USERNAME_MAX_CHARS = 255


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username of a sign-in attempt as axes records it (its AXES_USERNAME_CALLABLE)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    return username[:LOCKOUT_USERNAME_MAX_CHARS] if isinstance(username, str) else username

"""Middleware of the portal as a whole."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

# Inside the session: when its expiry was last pushed forward (seconds since the epoch).
REFRESHED_AT = "_refreshed_at"


class SessionIdleTimeoutMiddleware:
    """Keeps the idle timeout of a signed-in session without a write on every request.

    The session row's expiry moves only when the session is saved. Saving it on every
    request (SESSION_SAVE_EVERY_REQUEST) made every GET a database write, and a GET whose
    write failed answered 400 "SessionInterrupted" although nothing was asked of it. Here
    the expiry is pushed forward at most once per SESSION_REFRESH_SECONDS, so a session ends
    between SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after the
    user's last request.

    Place it right after SessionMiddleware: its response side must run before the session
    middleware decides whether to save.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        # Only a request that read the session and succeeded counts as activity: error pages
        # make no query (harassment_portal/errors.py), and sign-out empties the session,
        # which a stamp would bring back as an anonymous one.
        if not session.accessed or response.status_code >= 400 or SESSION_KEY not in session:
            return response
        now = int(time.time())
        if session.modified:
            session[REFRESHED_AT] = now  # saved anyway: the stamp costs no extra write
        elif now - session.get(REFRESHED_AT, now) >= settings.SESSION_REFRESH_SECONDS:
            session[REFRESHED_AT] = now  # marks it modified: SessionMiddleware saves it
        # A session without a stamp (signed in before this middleware existed) is not pushed
        # forward: it ends SESSION_COOKIE_AGE after its last write, and the next sign-in
        # stamps it.
        return response

"""Middleware of the portal as a whole."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.sessions import (
    ABSOLUTE,
    REFRESHED_AT,
    idle_seconds,
    mark_active,
    refresh_due,
    seconds_left,
    session_end_reason,
    session_stamp,
)


class SessionIdleTimeoutMiddleware:
    """Ends a signed-in session server-side after its idle limit or its absolute limit
    (accounts/sessions.py), and keeps its activity stamp without a write on every request.

    The session row's expiry moves only when the session is saved. Saving it on every
    request (SESSION_SAVE_EVERY_REQUEST) made every GET a database write, and a GET whose
    write failed answered 400 "SessionInterrupted" although nothing was asked of it. Here the
    stamp (and with it the row's expiry) moves at most once per SESSION_REFRESH_SECONDS.

    An ended session is flushed (logout: the row is deleted, the key is useless) before the
    view runs, with a message for the sign-in page; a page then goes to the sign-in page like
    any anonymous request, and the report form's autosave, which answers JSON, gets its 401.

    Placed right after AuthenticationMiddleware: its process_view runs before
    LoginRequiredMiddleware's and the second factor's, which then see an ended session as
    anonymous (messages are ready by then: every middleware's request side has run). Its
    response side still runs before SessionMiddleware decides whether to save.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # No warning on a page whose view never ran (a CSRF refusal, a lockout): unknown.
        request.session_seconds_left = None
        response = self.get_response(request)
        self._mark_activity(request, response, time.time())
        return response

    def process_view(self, request: HttpRequest, view_func, _view_args, _view_kwargs):
        """Only once a view was found: an unknown address gets its 404 page without reading
        the session (error pages make no query, harassment_portal/errors.py)."""
        session = request.session
        now = time.time()
        reason = session_end_reason(session, now)
        if reason is None:
            # For the idle warning's data attributes (accounts/_session_warning.html).
            request.session_seconds_left = seconds_left(
                session, now, refreshing=refresh_due(session, now)
            )
            request.session_warning_seconds = settings.SESSION_WARNING_SECONDS
            return None
        minutes = idle_seconds(session) // 60
        logout(request)
        messages.warning(request, self._ended_message(reason, minutes))
        # LoginRequiredMiddleware, next, sends a page to the sign-in page; a view that
        # answers anonymous requests itself (the autosave's 401 JSON) runs as anonymous.
        return None

    @staticmethod
    def _ended_message(reason: str, minutes: int) -> str:
        if reason == ABSOLUTE:
            return _(
                "Your session ended: a session lasts at most 12 hours. Please sign in again. "
                "Report drafts are saved as you type."
            )
        return ngettext(
            "Your session ended after %(minutes)d minute without activity. Please sign in "
            "again. Report drafts are saved as you type.",
            "Your session ended after %(minutes)d minutes without activity. Please sign in "
            "again. Report drafts are saved as you type.",
            minutes,
        ) % {"minutes": minutes}

    @staticmethod
    def _mark_activity(request: HttpRequest, response: HttpResponse, now: float) -> None:
        session = request.session
        # Only a request that succeeded counts as activity: error pages make no query
        # (harassment_portal/errors.py), sign-out empties the session (which a stamp would
        # bring back as an anonymous one), and the idle warning's own question ("how long is
        # left?") must not answer itself.
        if (
            not session.accessed  # no view read it (an unknown address): nothing to mark
            or response.status_code >= 400
            or SESSION_KEY not in session
            or getattr(request, "session_activity_ignored", False)
        ):
            return
        user = getattr(request, "user", None)
        if REFRESHED_AT not in session:
            session_stamp(session, user, now)  # signed in before the stamps: one write, once
        elif session.modified or refresh_due(session, now):
            mark_active(session, now, user)  # written anyway, or due: one write either way

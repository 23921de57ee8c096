"""When a signed-in session ends (ASVS 3.3): after a while without activity (30 minutes for
privileged roles, a working day for front-desk staff: accounts/policy.py decides which) and at
the latest SESSION_ABSOLUTE_SECONDS after signing in, whatever the activity.

The times live in the session itself: when she signed in, when the session was last marked
active, and her idle limit. Marking activity writes the session, so it is marked at most once
per SESSION_REFRESH_SECONDS (harassment_portal/middleware.py): a plain GET within that interval
writes nothing, and the idle timeout ends up to that interval early, never late.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_http_methods

from .policy import capabilities_of

# Inside the session (seconds since the epoch, and seconds).
SIGNED_IN_AT = "_signed_in_at"
REFRESHED_AT = "_refreshed_at"  # when it was last marked active
IDLE_SECONDS = "_idle_seconds"
# Also stamped at sign-in: a password just typed is a fresh confirmation (accounts/reauth.py).
CONFIRMED_AT = "_identity_confirmed_at"

IDLE = "idle"
ABSOLUTE = "absolute"


@receiver(user_logged_in, dispatch_uid="accounts.sessions.session_begin")
def session_begin(sender, request, user, **kwargs) -> None:
    """Every way in (the sign-in page, Django admin's, the second factor's) logs in through
    django.contrib.auth.login, which rotates the session key and sends this signal."""
    if request is None or not hasattr(request, "session"):
        return
    session_stamp(request.session, user, time.time())
    request.session[CONFIRMED_AT] = int(time.time())


def session_stamp(session, user, now: float) -> None:
    """Start the clocks: at sign-in, or at the first request of a session signed in before
    these stamps existed (its sign-in time is unknown: from now on, then)."""
    session[SIGNED_IN_AT] = int(now)
    session[REFRESHED_AT] = int(now)
    session[IDLE_SECONDS] = capabilities_of(user).idle_timeout_seconds


def session_end_reason(session, now: float) -> str | None:
    """IDLE or ABSOLUTE when this signed-in session is over, else None. A session without
    stamps is stamped by the middleware at its first request."""
    if SESSION_KEY not in session:
        return None
    signed_in_at = session.get(SIGNED_IN_AT)
    if signed_in_at is not None and now - signed_in_at >= settings.SESSION_ABSOLUTE_SECONDS:
        return ABSOLUTE
    refreshed_at = session.get(REFRESHED_AT)
    if refreshed_at is not None and now - refreshed_at >= idle_seconds(session):
        return IDLE
    return None


def idle_seconds(session) -> int:
    return session.get(IDLE_SECONDS) or settings.SESSION_IDLE_PRIVILEGED_SECONDS


def refresh_due(session, now: float) -> bool:
    return now - session.get(REFRESHED_AT, now) >= settings.SESSION_REFRESH_SECONDS


def seconds_left(session, now: float, *, refreshing: bool = False) -> int | None:
    """Until this session ends if nothing more happens, counting this request as activity
    when it will be marked as such (``refreshing``). None for a session without stamps."""
    refreshed_at = session.get(REFRESHED_AT)
    signed_in_at = session.get(SIGNED_IN_AT)
    if refreshed_at is None or signed_in_at is None:
        return None
    now = int(now)  # the stamps are whole seconds too
    if refreshing:
        refreshed_at = now
    ends_at = min(
        refreshed_at + idle_seconds(session),
        signed_in_at + settings.SESSION_ABSOLUTE_SECONDS,
    )
    return max(0, int(ends_at - now))


def mark_active(session, now: float, user) -> None:
    """Push the idle end forward. The idle limit is read again, so a role taken away or
    given during the session applies from the next refresh on."""
    session[REFRESHED_AT] = int(now)
    if user is not None and user.is_authenticated:
        session[IDLE_SECONDS] = capabilities_of(user).idle_timeout_seconds


@login_not_required  # answers 401 JSON itself: the script cannot follow a redirect to a page
@require_http_methods(["GET", "POST"])
def session_status(request: HttpRequest) -> JsonResponse:
    """For the idle warning (static/js/session-timeout.js): GET asks how long is left without
    counting as activity (another tab may have been busy meanwhile); POST is "Stay signed
    in", which counts. An ended session never gets here as signed in: 401."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False, "seconds_left": 0}, status=401)
    now = time.time()
    if request.method == "POST":
        mark_active(request.session, now, request.user)
    else:
        request.session_activity_ignored = True  # the middleware must not mark it active
    return JsonResponse(
        {"signed_in": True, "seconds_left": seconds_left(request.session, now)},
        headers={"Cache-Control": "no-store"},
    )

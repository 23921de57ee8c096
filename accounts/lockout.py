"""The sign-in lockout: django-axes plus two ceilings beside it.

Three locks, each for AXES_COOLOFF_TIME (15 minutes):

* **one username from one address** (axes itself): AXES_FAILURE_LIMIT (5) wrong passwords lock
  that username from that address only. A colleague behind the same office router signs in.
* **one account from every address** (ASVS 2.2.1: at most 100 failures an hour per account):
  LOCKOUT_ACCOUNT_FAILURES (10) failures within LOCKOUT_ACCOUNT_WINDOW_SECONDS (15 minutes),
  whatever the addresses, lock the account everywhere. An attacker with many addresses gets
  at most 10 guesses per 15 minutes (40 an hour).
* **one address for every username** (against password spraying): LOCKOUT_ADDRESS_FAILURES
  (30) failures within LOCKOUT_ADDRESS_WINDOW_SECONDS (an hour) across usernames lock the
  address. Colleagues behind the attacker's router keep signing in until then.

Why beside axes and not in it: axes applies one failure limit to every lockout parameter it is
given (``AXES_LOCKOUT_PARAMETERS`` takes several combinations but AXES_FAILURE_LIMIT is one
number, compared with the largest count of any combination: axes/handlers/base.py
``is_locked``), and its counts run until AXES_COOLOFF_TIME after the *last* failure of a
username-address pair, not over a window. The ceilings need other limits and other windows, so
they are sliding windows in Redis (one sorted set of failure times per account and per
address), shared by every web process and node, kept by the handler below, which axes calls
(AXES_HANDLER) for every sign-in attempt, Django admin's included.

No lock lasts for ever: a lock is a Redis key that expires after the cool-off, and a failure
while locked is refused before the password is checked and counts nowhere (axes:
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False), so an attacker cannot keep pushing
the end of a lock forward. The window is emptied when it locks: after the cool-off the account
or address starts from zero.

An administrator unlocks in Django admin: deleting the failed attempts of an account or an
address (axes's list, "failed sign-in attempts") lifts its locks, as do axes's commands
``axes_reset_username`` and ``axes_reset_ip``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from redis.exceptions import RedisError

from harassment_portal.sliding_window import cache_redis, window_hit

logger = logging.getLogger(__name__)

# axes keeps the username in a column of 255 characters. Django's sign-in form passes a longer
# one on to authentication unchecked, and its failure could not be recorded: the sign-in page
# answered a server error. No account has such a name (usernames have at most 150 characters),
# so its first 255 characters count the attempts as well.
LOCKOUT_USERNAME_MAX_CHARS = 255

# Why a sign-in is refused, for the lockout page.
PAIR = "pair"  # this username from this address (axes)
ACCOUNT = "account"  # this account, from every address
ADDRESS = "address"  # this address, for every username


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username of a sign-in attempt as axes records it (its AXES_USERNAME_CALLABLE)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    return username[:LOCKOUT_USERNAME_MAX_CHARS] if isinstance(username, str) else username


@dataclass(frozen=True)
class SignInLock:
    reason: str  # PAIR, ACCOUNT or ADDRESS
    until: datetime


@dataclass(frozen=True)
class _Ceiling:
    kind: str
    limit: int
    window: int  # seconds

    def key(self, value: str) -> str:
        # Case folded: "Staff.Tokyo" signs nobody in, but guesses at it aim at staff.tokyo.
        return f"lockout:{self.kind}:{value.casefold()}"


def _ceilings() -> list[_Ceiling]:
    return [
        _Ceiling(
            ACCOUNT, settings.LOCKOUT_ACCOUNT_FAILURES, settings.LOCKOUT_ACCOUNT_WINDOW_SECONDS
        ),
        _Ceiling(
            ADDRESS, settings.LOCKOUT_ADDRESS_FAILURES, settings.LOCKOUT_ADDRESS_WINDOW_SECONDS
        ),
    ]


def _cool_off_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def _subjects(request: HttpRequest, credentials: dict | None) -> dict[str, str]:
    """The account and the address an attempt counts against (either may be unknown)."""
    subjects = {}
    username = get_client_username(request, credentials)
    if username:
        subjects[ACCOUNT] = username
    address = getattr(request, "axes_ip_address", None)
    if address:
        subjects[ADDRESS] = address
    return subjects


def ceiling_lock(request: HttpRequest, credentials: dict | None) -> SignInLock | None:
    """The account's or the address's lock, if one is on (the later end when both are)."""
    subjects = _subjects(request, credentials)
    keys = [
        cache.make_key(ceiling.key(subjects[ceiling.kind]) + ":lock")
        for ceiling in _ceilings()
        if ceiling.kind in subjects
    ]
    if not keys:
        return None
    try:
        values = cache_redis().mget(keys)
    except RedisError:
        # Fail open: the pair lock (in the database) still holds; a sign-in page that answers
        # 500 while Redis is away would lock everybody out.
        logger.exception("Sign-in lockout: cache unavailable, the ceilings are not checked")
        return None
    now = time.time()
    locks = []
    for value in values:
        if value is None:
            continue
        reason, _, until = value.decode().partition(" ")
        if float(until) > now:
            locks.append(SignInLock(reason, datetime.fromtimestamp(float(until), tz=UTC)))
    return max(locks, key=lambda lock: lock.until, default=None)


def _count_failure(request: HttpRequest, credentials: dict | None) -> SignInLock | None:
    """Add this failure to the account's and the address's windows; lock what reached its
    ceiling (for the cool-off) and empty its window. Returns the new lock, if any."""
    subjects = _subjects(request, credentials)
    ceilings = [ceiling for ceiling in _ceilings() if ceiling.kind in subjects]
    hit = window_hit([(c.key(subjects[c.kind]), c.window) for c in ceilings])
    now = hit.at
    reached = [c for c, count in zip(ceilings, hit.counts, strict=True) if count >= c.limit]
    if not reached:
        return None
    cool_off = _cool_off_seconds()
    until = now + cool_off
    with cache_redis().pipeline(transaction=True) as pipe:
        for ceiling in reached:
            key = cache.make_key(ceiling.key(subjects[ceiling.kind]))
            # The lock's end is in its value, read against this node's clock like the window;
            # the key's own expiry, a minute later, only clears it away.
            pipe.set(key + ":lock", f"{ceiling.kind} {until:.3f}", ex=cool_off + 60)
            pipe.delete(key)
        pipe.execute()
    for ceiling in reached:
        logger.warning(
            "Sign-in lockout: %s ceiling reached (%s failures in %s s), locked for %s s",
            ceiling.kind,
            ceiling.limit,
            ceiling.window,
            cool_off,
        )
    # Both reached at once: the address's lock is the one the page explains (it is wider).
    reason = ADDRESS if any(c.kind == ADDRESS for c in reached) else ACCOUNT
    return SignInLock(reason, datetime.fromtimestamp(until, tz=UTC))


def ceilings_unlock(
    *, username: str | None = None, ip_address: str | None = None, windows: bool = True
) -> None:
    """Lift the ceiling locks of an account and/or an address (and empty their windows)."""
    keys = []
    for ceiling in _ceilings():
        value = username if ceiling.kind == ACCOUNT else ip_address
        if value:
            key = cache.make_key(ceiling.key(value))
            keys += [key + ":lock", key] if windows else [key + ":lock"]
    if keys:
        cache_redis().delete(*keys)


def _pair_lock(request: HttpRequest, credentials: dict | None) -> SignInLock:
    """axes's lock of this username from this address ends a cool-off after its last failure."""
    last = (
        AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=getattr(request, "axes_ip_address", None),
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return SignInLock(PAIR, (last or timezone.now()) + settings.AXES_COOLOFF_TIME)


class LockoutHandler(AxesDatabaseHandler):
    """axes's database handler (the pair lock) plus the account and address ceilings."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            request.sign_in_lock = _pair_lock(request, credentials)
            return True
        lock = ceiling_lock(request, credentials)
        if lock is not None:
            request.sign_in_lock = lock
            return True
        return False

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        refused_while_locked = request is not None and getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or refused_while_locked or self.is_whitelisted(request, credentials):
            return  # a refusal while locked counts nowhere: the lock's end stays put
        try:
            lock = _count_failure(request, credentials)
        except RedisError:
            logger.exception("Sign-in lockout: cache unavailable, this failure is not counted")
            return
        if lock is not None and not getattr(request, "axes_locked_out", False):
            request.sign_in_lock = lock
            request.axes_locked_out = True  # AxesMiddleware answers with the lockout page
            request.axes_credentials = credentials

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False) -> int:
        """axes_reset_username / axes_reset_ip: the ceilings' locks go too."""
        ceilings_unlock(username=username, ip_address=ip_address)
        return super().reset_attempts(
            ip_address=ip_address, username=username, ip_or_username=ip_or_username
        )

    def post_delete_access_attempt(self, instance, **kwargs):
        """An administrator deleted failed attempts in Django admin: their account and address
        are unlocked. Only the locks go, not the windows: a successful sign-in deletes its own
        pair's attempts too (it had no lock to lift, or it could not have signed in), and a
        colleague signing in must not wipe the count of a spraying attacker at her address.
        (A lock emptied its window when it was set, and refusals while locked count nowhere,
        so after an unlock the window is as good as empty.) axes also deletes expired
        attempts, older than the cool-off, whose locks are over by then: left alone."""
        if instance.attempt_time <= timezone.now() - settings.AXES_COOLOFF_TIME:
            return
        try:
            ceilings_unlock(
                username=instance.username, ip_address=instance.ip_address, windows=False
            )
        except RedisError:
            logger.exception("Sign-in lockout: cache unavailable, ceilings not unlocked")


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """The lockout page (AXES_LOCKOUT_CALLABLE): why, and from when she may try again."""
    lock = getattr(request, "sign_in_lock", None) or _pair_lock(request, credentials)
    # Shown to the minute, rounded up: "after 10:15" must not be a few seconds too early.
    try_again_at = (lock.until + timedelta(seconds=59)).replace(second=0, microsecond=0)
    return render(
        request,
        "registration/locked_out.html",
        {"lock": lock, "try_again_at": try_again_at, "minutes": _cool_off_seconds() // 60},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )

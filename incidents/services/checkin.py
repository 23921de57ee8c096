"""Writes of the check-in lookup: the log of every lookup, and the rate limit that keeps the
desk page from becoming a way to sweep candidate IDs.

The limit is a sliding window kept twice: per device (a tablet at the desk, whoever signed in
on it) and per user (across every device she uses). A busy session start on one tablet stays
under the device limit; a member of staff who moves to another tablet goes on there until the
user limit; a sweep runs into one of them within minutes."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

from accounts.models import TestCenter, User
from accounts.policy import capabilities_of
from harassment_portal.sliding_window import cache_redis, window_hit

from ..models import CheckinLookup

logger = logging.getLogger(__name__)

# CheckinLookup.candidate_id_entered
ENTERED_MAX_LENGTH = 40

DEVICE = "device"
USER = "user"


@dataclass(frozen=True)
class CheckinAllowance:
    """The rate limit's answer to one lookup."""

    allowed: bool
    limited_by: str = ""  # DEVICE or USER when refused (the longer wait when both)
    retry_after_seconds: int = 0  # when one more lookup will be allowed, refused only

    @property
    def retry_after_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after_seconds / 60))


def checkin_lookup_log(
    *, user: User, candidate_id_entered: str, restricted: bool, refused: bool = False
) -> CheckinLookup:
    """Record a lookup: who, at which center, what was typed (as typed, cut to the column),
    whether a restriction was shown, and whether the rate limit refused it (then nothing was
    looked up). The user's first center stands for where they were."""
    center_ids = sorted(capabilities_of(user).reporting_center_ids)
    center = TestCenter.objects.filter(pk=center_ids[0]).first() if center_ids else None
    # PostgreSQL refuses NUL in text; anything else is kept as it was typed.
    entered = candidate_id_entered.replace("\x00", "\ufffd")[:ENTERED_MAX_LENGTH]
    with transaction.atomic():
        return CheckinLookup.objects.create(
            user=user,
            center=center,
            candidate_id_entered=entered,
            restricted=restricted and not refused,
            refused=refused,
        )


def checkin_rate_limit_consume(*, user: User, devices: Sequence[str]) -> CheckinAllowance:
    """Count one lookup by ``user`` from ``devices`` (opaque keys: the desk's cookie, and the
    client address for a lookup without one) and answer whether it is within every limit.
    Counted in Redis, so the limits hold across every web process and node. A refused lookup
    is not counted: the window empties at the pace the answer promised, however often she
    tries meanwhile. A refusal is logged with the user's id, never the candidate ID."""
    window = settings.CHECKIN_WINDOW_SECONDS
    limits = [
        (USER, f"checkin:user:{user.pk}", settings.CHECKIN_LOOKUPS_PER_USER),
        *(
            (DEVICE, f"checkin:device:{device}", settings.CHECKIN_LOOKUPS_PER_DEVICE)
            for device in devices
        ),
    ]
    try:
        allowance = _consume_in_redis(limits, window)
    except RedisError:
        # Without Redis the desk must still work, and the limit still hold: the user's
        # lookups in the last window are counted from the log (index on looked_up_at). The
        # device is not in the log, so only the user limit holds until Redis is back.
        logger.exception("Check-in rate limit: cache unavailable, counting from the log")
        allowance = _consume_from_log(user, window)
    if not allowance.allowed:
        logger.warning(
            "Check-in lookup refused: %s limit for user %s (%s lookups per user, %s per device "
            "in %s seconds)",
            allowance.limited_by,
            user.pk,
            settings.CHECKIN_LOOKUPS_PER_USER,
            settings.CHECKIN_LOOKUPS_PER_DEVICE,
            window,
        )
    return allowance


def _consume_in_redis(limits: list[tuple[str, str, int]], window: int) -> CheckinAllowance:
    """This lookup counted in a sliding window per key (harassment_portal/sliding_window.py).
    Over a limit, it is taken out of every key again, and the wait is read from the times
    still in the window. Two lookups at the very limit may both be refused (each
    counts the other), never both allowed."""
    hit = window_hit([(key, window) for _kind, key, _limit in limits])
    now, member, counts = hit.at, hit.member, hit.counts
    keys = [cache.make_key(key) for _kind, key, _limit in limits]
    client = cache_redis()
    over = [
        (kind, key, limit)
        for (kind, _name, limit), key, count in zip(limits, keys, counts, strict=True)
        if count > limit
    ]
    if not over:
        return CheckinAllowance(allowed=True)

    with client.pipeline(transaction=True) as pipe:
        for key in keys:
            pipe.zrem(key, member)
        for _kind, key, _limit in over:
            pipe.zrange(key, 0, -1, withscores=True)
        in_window = pipe.execute()[len(keys) :]
    waits = [
        (_wait([score for _member, score in times], limit, window=window, now=now), kind)
        for (kind, _key, limit), times in zip(over, in_window, strict=True)
    ]
    wait, kind = max(waits)
    return CheckinAllowance(allowed=False, limited_by=kind, retry_after_seconds=wait)


def _consume_from_log(user: User, window: int) -> CheckinAllowance:
    now = timezone.now()
    times = list(
        CheckinLookup.objects.filter(
            user=user, refused=False, looked_up_at__gt=now - timedelta(seconds=window)
        )
        .order_by("looked_up_at")
        .values_list("looked_up_at", flat=True)
    )
    limit = settings.CHECKIN_LOOKUPS_PER_USER
    if len(times) < limit:
        return CheckinAllowance(allowed=True)
    scores = [moment.timestamp() for moment in times]
    return CheckinAllowance(
        allowed=False,
        limited_by=USER,
        retry_after_seconds=_wait(scores, limit, window=window, now=now.timestamp()),
    )


def _wait(times: list[float], limit: int, *, window: int, now: float) -> int:
    """Seconds until the window holds fewer than ``limit`` lookups: until the oldest leaves it
    (or, after the limit was lowered, as many of the oldest as it takes)."""
    times = sorted(times)
    leaving = times[len(times) - limit] if len(times) >= limit else now - window
    return max(1, math.ceil(leaving + window - now))

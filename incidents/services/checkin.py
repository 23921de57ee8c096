"""Writes of the check-in lookup: the log of every lookup, and the per-user rate limit that
keeps the desk page from becoming a way to sweep candidate IDs."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

from accounts.models import TestCenter, User
from accounts.policy import capabilities_of

from ..models import CheckinLookup

logger = logging.getLogger(__name__)

# At most this many lookups per user in one window: a desk checks in one candidate at a time,
# far below it; a sweep through candidate IDs runs into it at once.
LOOKUP_LIMIT = 30
LOOKUP_WINDOW_SECONDS = 10 * 60

# CheckinLookup.candidate_id_entered
ENTERED_MAX_LENGTH = 40


def checkin_lookup_log(*, user: User, candidate_id_entered: str, restricted: bool) -> CheckinLookup:
    """Record a lookup: who, at which center, what was typed (as typed, cut to the column) and
    whether a restriction was shown. The user's first center stands for where they were."""
    center_ids = sorted(capabilities_of(user).reporting_center_ids)
    center = TestCenter.objects.filter(pk=center_ids[0]).first() if center_ids else None
    # PostgreSQL refuses NUL in text; anything else is kept as it was typed.
    entered = candidate_id_entered.replace("\x00", "\ufffd")[:ENTERED_MAX_LENGTH]
    with transaction.atomic():
        return CheckinLookup.objects.create(
            user=user, center=center, candidate_id_entered=entered, restricted=restricted
        )


def checkin_rate_limit_consume(*, user: User) -> bool:
    """Count one lookup by ``user`` and answer whether it is within the limit. Counted in the
    shared cache (Redis), so the limit holds across every web process and node; a refusal is
    logged with the user's id, never the candidate ID."""
    try:
        count = _count_in_cache(user)
    except RedisError:
        # Without Redis the desk must still work, and the limit still hold: count from the
        # log instead (index on looked_up_at), over the last window.
        logger.exception("Check-in rate limit: cache unavailable, counting from the log")
        since = timezone.now() - timedelta(seconds=LOOKUP_WINDOW_SECONDS)
        count = CheckinLookup.objects.filter(user=user, looked_up_at__gte=since).count() + 1
    if count > LOOKUP_LIMIT:
        logger.warning(
            "Check-in lookup refused: user %s made more than %s lookups in %s seconds",
            user.pk,
            LOOKUP_LIMIT,
            LOOKUP_WINDOW_SECONDS,
        )
        return False
    return True


def _count_in_cache(user: User) -> int:
    window = int(time.time()) // LOOKUP_WINDOW_SECONDS
    key = f"checkin:lookups:{user.pk}:{window}"
    # add() is atomic and only sets a missing key; incr() is atomic in Redis. Together they
    # count correctly when two processes answer the same user at the same moment.
    cache.add(key, 0, timeout=LOOKUP_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.add(key, 1, timeout=LOOKUP_WINDOW_SECONDS)
        return 1

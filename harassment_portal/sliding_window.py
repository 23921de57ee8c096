"""Sliding-window counters in Redis, shared by every rate limit of the portal (check-in
lookups, sign-in ceilings, password-reset requests).

One sorted set of event times per key. In one MULTI, for every key: drop the times that left
its window, add this event, count, and let an idle key expire a minute after its window.
Concurrent requests on several web nodes therefore count exactly. Scores are this node's
clock: web nodes keep NTP time, and a second's skew moves a window by a second."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache


def cache_redis():
    """The cache's own Redis connection pool (django-redis's client)."""
    return cache._cache.get_client(write=True)


@dataclass(frozen=True)
class Hit:
    counts: list[int]  # events in each window, this one included, in the order asked
    member: str  # this event in every set (to take it back out)
    at: float  # its time, in seconds since the epoch


def window_hit(windows: Sequence[tuple[str, int]]) -> Hit:
    """Count one event in each ``(cache key, window seconds)``."""
    now = time.time()
    member = f"{now:.6f}:{uuid.uuid4().hex}"  # unique: two events in one microsecond both count
    with cache_redis().pipeline(transaction=True) as pipe:
        for key, window in windows:
            redis_key = cache.make_key(key)
            pipe.zremrangebyscore(redis_key, "-inf", now - window)
            pipe.zadd(redis_key, {member: now})
            pipe.zcard(redis_key)
            pipe.expire(redis_key, window + 60)
        counts = pipe.execute()[2::4]
    return Hit(counts=counts, member=member, at=now)

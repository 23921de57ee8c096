"""Rate limits of the API: per token (one system gone wild) and per user (across every token
and her browser), counted in Redis by the portal's one sliding-window counter
(harassment_portal/sliding_window.py), so that the limits hold across every web process and
node. A refused request is taken back out of the window: a client retrying in a loop waits
exactly as long as Retry-After said, no longer.

Without Redis the API stays up unthrottled (logged): the check-in endpoint keeps its own
limit, which falls back to the lookup log (incidents/services/checkin.py)."""

from __future__ import annotations

import logging
import math
from abc import ABC, abstractmethod

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework.throttling import BaseThrottle

from harassment_portal.sliding_window import cache_redis, window_hit

from .models import PersonalToken

logger = logging.getLogger(__name__)


class SlidingWindowThrottle(BaseThrottle, ABC):
    """One request counted in ``key``'s window of ``settings.API_THROTTLE_WINDOW_SECONDS``."""

    limit_setting = ""

    @abstractmethod
    def key(self, request) -> str | None:
        """The counter's cache key for this request; None: not counted here."""

    def allow_request(self, request, view) -> bool:
        self._wait = None
        key = self.key(request)
        if key is None:
            return True
        window = settings.API_THROTTLE_WINDOW_SECONDS
        limit = getattr(settings, self.limit_setting)
        try:
            hit = window_hit([(key, window)])
            if hit.counts[0] <= limit:
                return True
            redis_key = cache.make_key(key)
            with cache_redis().pipeline(transaction=True) as pipe:
                pipe.zrem(redis_key, hit.member)
                # The request whose leaving makes room: the limit-th newest still counted.
                pipe.zrevrange(redis_key, limit - 1, limit - 1, withscores=True)
                oldest = pipe.execute()[1]
        except RedisError:
            logger.exception("API throttle %s: cache unavailable, not throttled", key)
            return True
        leaving = oldest[0][1] if oldest else hit.at
        self._wait = max(1, math.ceil(leaving + window - hit.at))
        logger.warning("API throttled: %s", key)
        return False

    def wait(self) -> int | None:
        return self._wait


class PerTokenThrottle(SlidingWindowThrottle):
    limit_setting = "API_REQUESTS_PER_TOKEN"

    def key(self, request) -> str | None:
        token = request.auth
        return f"api:token:{token.pk}" if isinstance(token, PersonalToken) else None


class PerUserThrottle(SlidingWindowThrottle):
    limit_setting = "API_REQUESTS_PER_USER"

    def key(self, request) -> str | None:
        user = request.user
        return f"api:user:{user.pk}" if user.is_authenticated else None

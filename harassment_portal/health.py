"""``/healthz``: can this node reach PostgreSQL and Redis, does a Celery worker answer, and is
mail leaving?

For load balancers and monitoring: no login, no secrets (errors are named by their type,
never by a message that could carry a host or a password). The answer is 503 when this node
cannot serve (database, Redis, worker); mail that is not leaving makes it "degraded" with
200, since taking web nodes out of a load balancer would not bring the mail server back, and
``outbox`` says how much is waiting and for how long, for monitoring to alert on.

The worker ping is the slow part (a broadcast through Redis that waits up to 1.5 seconds for
replies). Answered live to every anonymous caller, it made /healthz a cheap way to tie up web
workers, so anonymous callers get its last result, at most WORKER_CHECK_MAX_AGE_SECONDS old,
refreshed by one caller at a time; the database and Redis are still checked live (a few
milliseconds). Operators get the whole check live: with the HEALTHZ_TOKEN in the
``X-Healthz-Token`` header, or signed in as an administrator."""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.policy import capabilities_of
from outbox.selectors import outbox_state

from .celery import app as celery_app

WORKER_PING_TIMEOUT_SECONDS = 1.5
# How old a worker ping an anonymous caller may be given. Kept in the cache a while longer,
# so that callers arriving while one of them refreshes it answer at once from the last one.
WORKER_CHECK_MAX_AGE_SECONDS = 15
WORKER_CHECK_KEY = "healthz:worker"
WORKER_CHECK_KEPT_SECONDS = 120
# Longer than a ping can take: a refresher that died lets the next caller take over.
WORKER_REFRESH_LOCK_KEY = "healthz:worker:refreshing"
WORKER_REFRESH_LOCK_SECONDS = 10


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001  (any failure is reported, none is raised)
        return f"error: {type(error).__name__}"
    return "ok"


def check_redis() -> str:
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=settings.REDIS_TIMEOUT_SECONDS,
        socket_timeout=settings.REDIS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except Exception as error:  # noqa: BLE001
        return f"error: {type(error).__name__}"
    finally:
        client.close()
    return "ok"


def check_worker() -> str:
    # A broadcast ping goes through the broker to every worker and back: a real round trip.
    try:
        replies = celery_app.control.ping(timeout=WORKER_PING_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001
        return f"error: {type(error).__name__}"
    if not replies:
        return "error: no worker answered"
    return "ok"


def recent_worker_check() -> str:
    """The last worker ping if it is recent enough; otherwise a new one, pinged by one caller
    while the others answer from the last result (cache.add is atomic in Redis: one caller
    gets the lock)."""
    last = cache.get(WORKER_CHECK_KEY)
    fresh = last is not None and time.time() - last["at"] < WORKER_CHECK_MAX_AGE_SECONDS
    if fresh:
        return last["worker"]
    if last is not None and not cache.add(
        WORKER_REFRESH_LOCK_KEY, 1, timeout=WORKER_REFRESH_LOCK_SECONDS
    ):
        return last["worker"]  # another caller is refreshing it
    try:
        worker = check_worker()
        cache.set(
            WORKER_CHECK_KEY, {"worker": worker, "at": time.time()}, WORKER_CHECK_KEPT_SECONDS
        )
    finally:
        cache.delete(WORKER_REFRESH_LOCK_KEY)
    return worker


def is_operator(request: HttpRequest) -> bool:
    """Monitoring with the token, or an administrator signed in: the live check."""
    token = settings.HEALTHZ_TOKEN
    given = request.headers.get("X-Healthz-Token", "")
    if token and given and constant_time_compare(given, token):
        return True
    return capabilities_of(request.user).administers


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": check_database(), "redis": check_redis()}
    if checks["redis"] != "ok":
        checks["worker"] = "error: redis unreachable"
    elif is_operator(request):
        checks["worker"] = check_worker()
    else:
        checks["worker"] = recent_worker_check()
    healthy = all(value == "ok" for value in checks.values())
    outbox = check_outbox() if checks["database"] == "ok" else None
    status = "ok" if healthy else "error"
    if healthy and outbox is not None and not outbox["ok"]:
        status = "degraded"
    return JsonResponse(
        {"status": status, **checks, "outbox": outbox}, status=200 if healthy else 503
    )


def check_outbox() -> dict | None:
    try:
        return outbox_state().as_json()
    except Exception:  # noqa: BLE001
        return None

"""``/healthz``: can this node reach PostgreSQL and Redis, does a Celery worker answer, and is
mail leaving?

For load balancers and monitoring: no login, no secrets (errors are named by their type,
never by a message that could carry a host or a password). The answer is 503 when this node
cannot serve (database, Redis, worker); mail that is not leaving makes it "degraded" with
200, since taking web nodes out of a load balancer would not bring the mail server back, and
``outbox`` says how much is waiting and for how long, for monitoring to alert on."""

from __future__ import annotations

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from outbox.selectors import outbox_state

from .celery import app as celery_app

WORKER_PING_TIMEOUT_SECONDS = 1.5


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


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": check_database(), "redis": check_redis()}
    checks["worker"] = check_worker() if checks["redis"] == "ok" else "error: redis unreachable"
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

import json
import time

import pytest
from django.test import override_settings

from tests.helpers import client_for
from tests.workers import celery_worker


def healthz() -> tuple[int, dict]:
    response = client_for(None).get("/healthz")
    return response.status_code, json.loads(response.content)


@pytest.mark.worker
def test_healthz_is_ok_with_database_redis_and_a_live_worker(quiet_outbox):
    with celery_worker():
        status, body = healthz()
    assert status == 200
    assert body == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
        "worker": "ok",
        "outbox": {
            "ok": True,
            "pending": 0,
            "oldest_pending_seconds": None,
            "late": 0,
            "failed": 0,
            "uncertain": 0,
        },
    }


@pytest.mark.worker
def test_healthz_is_degraded_but_up_when_mail_is_not_leaving(quiet_outbox):
    from datetime import timedelta

    from django.utils import timezone

    from outbox.models import Email

    Email.objects.create(
        key="test:1",
        to="manager@example.com",
        subject="s",
        body_text="b",
        message_id="<test-1@harassment-portal>",
        created_at=timezone.now() - timedelta(hours=1),
    )
    Email.objects.create(
        key="test:2",
        to="x@example.com",
        subject="s",
        body_text="b",
        message_id="<t2@hp>",
        status="failed",
    )
    with celery_worker():
        status, body = healthz()
    assert status == 200 and body["status"] == "degraded"
    outbox = body["outbox"]
    assert (outbox["ok"], outbox["pending"], outbox["late"], outbox["failed"]) == (False, 1, 1, 1)
    assert outbox["oldest_pending_seconds"] >= 3600


def test_healthz_answers_503_when_no_worker_answers(db):
    status, body = healthz()
    assert status == 503
    assert body["database"] == "ok" and body["redis"] == "ok"
    assert body["worker"] == "error: no worker answered"


def test_healthz_answers_503_and_names_redis_when_redis_is_unreachable(db):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        status, body = healthz()
    assert status == 503
    assert body["redis"].startswith("error: ")
    assert body["worker"] == "error: redis unreachable"


def test_healthz_reveals_no_configuration(db):
    raw = client_for(None).get("/healthz").content.decode()
    assert "127.0.0.1" not in raw and "postgres" not in raw and "redis://" not in raw


# --- Cheap for anonymous callers, live for operators (issue 11) -------------------------------


def operator_healthz(token: str) -> tuple[int, dict]:
    response = client_for(None).get("/healthz", headers={"X-Healthz-Token": token})
    return response.status_code, json.loads(response.content)


@pytest.mark.worker
def test_anonymous_callers_get_the_last_worker_ping_and_operators_a_live_one(
    quiet_outbox, settings
):
    settings.HEALTHZ_TOKEN = "monitoring-secret"
    with celery_worker():
        status, body = healthz()
        assert (status, body["worker"]) == (200, "ok")
    # The worker is gone. An anonymous probe within 15 seconds is answered from the last ping,
    # without waiting for one (the load balancer keeps routing, as it would anyway).
    status, body = healthz()
    assert (status, body["worker"]) == (200, "ok")
    # Monitoring with the token sees it at once, and so does a signed-in administrator.
    status, body = operator_healthz("monitoring-secret")
    assert (status, body["worker"]) == (503, "error: no worker answered")
    assert operator_healthz("a guess")[1]["worker"] == "ok"  # a wrong token: the cached answer


def test_a_signed_in_administrator_gets_the_live_check(demo):
    from django.core.cache import cache

    from harassment_portal.health import WORKER_CHECK_KEY

    cache.set(WORKER_CHECK_KEY, {"worker": "ok", "at": time.time()}, 60)
    assert healthz()[1]["worker"] == "ok"
    response = client_for(demo["admin"]).get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "error: no worker answered"


def test_an_old_ping_is_renewed_and_one_caller_at_a_time_renews_it(db):
    from django.core.cache import cache

    from harassment_portal.health import WORKER_CHECK_KEY, WORKER_REFRESH_LOCK_KEY

    old = {"worker": "ok", "at": time.time() - 60}
    cache.set(WORKER_CHECK_KEY, old, 120)
    # Another caller is pinging: this one answers from the last result at once.
    cache.set(WORKER_REFRESH_LOCK_KEY, 1, 10)
    status, body = healthz()
    assert (status, body["worker"]) == (200, "ok")
    # Nobody is: this caller pings (no worker runs here) and the answer is the new one.
    cache.delete(WORKER_REFRESH_LOCK_KEY)
    status, body = healthz()
    assert (status, body["worker"]) == (503, "error: no worker answered")
    assert cache.get(WORKER_CHECK_KEY)["worker"] == "error: no worker answered"
    assert cache.get(WORKER_REFRESH_LOCK_KEY) is None

import json

import pytest
from django.test import override_settings

from tests.helpers import client_for
from tests.workers import celery_worker


def healthz() -> tuple[int, dict]:
    response = client_for(None).get("/healthz")
    return response.status_code, json.loads(response.content)


@pytest.mark.worker
def test_healthz_is_ok_with_database_redis_and_a_live_worker(db):
    with celery_worker():
        status, body = healthz()
    assert status == 200
    assert body == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}


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

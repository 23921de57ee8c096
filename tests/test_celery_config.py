"""The Celery contract: at-least-once delivery, and a web request that never hangs on Redis."""

import socket
import subprocess
import sys
import threading
import time

from harassment_portal.celery import app
from tests.helpers import child_env

PUBLISH = """
import time
import django
django.setup()
from harassment_portal.celery import app
started = time.monotonic()
try:
    app.send_task("incidents.nothing", args=[1])
    outcome = "sent"
except Exception as error:
    outcome = type(error).__name__
print(outcome, round(time.monotonic() - started, 1))
"""


def test_tasks_are_acknowledged_late_and_given_back_when_a_worker_dies():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] == 3600


def _publish_with_broker(url: str) -> tuple[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", PUBLISH],
        env=child_env(DJANGO_SETTINGS_MODULE="harassment_portal.settings.test", TEST_REDIS_URL=url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    outcome, seconds = result.stdout.split()
    return outcome, float(seconds)


def test_publishing_gives_up_quickly_when_redis_is_down():
    outcome, seconds = _publish_with_broker("redis://127.0.0.1:1/0")
    assert outcome == "OperationalError"
    assert seconds < 5


def test_publishing_gives_up_within_seconds_when_redis_accepts_but_never_answers():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    accepted: list[socket.socket] = []
    stop = time.monotonic() + 30

    def accept_and_stay_silent():
        listener.settimeout(0.5)
        while time.monotonic() < stop:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_stay_silent, daemon=True)
    thread.start()
    try:
        outcome, seconds = _publish_with_broker(f"redis://127.0.0.1:{port}/0")
    finally:
        stop = 0
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()
    assert outcome == "OperationalError"
    assert seconds < 5

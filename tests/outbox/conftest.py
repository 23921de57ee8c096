"""The delivery path as it runs: PostgreSQL rows, Redis, a Celery worker process (with beat,
so the sweeps run on their own clock, shortened through settings) and an SMTP server on
loopback that the tests can stall, refuse or switch off."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest

from harassment_portal.celery import app
from outbox.models import Email
from tests.smtp import smtp_server
from tests.workers import celery_worker

# Every clock of the outbox, shortened: the backoff (one and two seconds), the sweep (every
# second), the re-queue of a lost task (five seconds) and the SMTP timeouts (two seconds).
FAST_CLOCKS = {
    "OUTBOX_BACKOFF_BASE_SECONDS": "1",
    "OUTBOX_BACKOFF_MAX_SECONDS": "2",
    "OUTBOX_SWEEP_SECONDS": "1",
    "OUTBOX_REQUEUE_AFTER_SECONDS": "5",
    "EMAIL_TIMEOUT": "2",
}


@pytest.fixture
def smtp():
    with smtp_server() as recorder:
        yield recorder


def worker_for(smtp, *, beat: bool = False, **env):
    """A worker sending to ``smtp``; with ``beat``, the sweeps run in it every second."""
    # Tasks left on the test queue by earlier tests (whose rows are gone) are dropped first.
    app.control.purge()
    args = []
    if beat:
        schedule = Path(tempfile.mkdtemp()) / "beat-schedule"
        args = ["--beat", f"--schedule={schedule}"]
    return celery_worker(
        *args,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        **{**FAST_CLOCKS, **env},
    )


def wait_until(condition, seconds: float = 30, what: str = "the condition", describe=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    state = f": {describe()}" if describe else ""
    raise AssertionError(f"{what} did not hold within {seconds} seconds{state}")


def outbox_of(report) -> list[Email]:
    return list(
        Email.objects.filter(key__in=[f"notification:{pk}" for pk in notification_ids(report)])
    )


def notification_ids(report) -> list[int]:
    from incidents.models import Notification

    return list(
        Notification.objects.filter(escalation__report=report, channel="email").values_list(
            "pk", flat=True
        )
    )


def once_each(smtp, emails: list[Email]) -> bool:
    """Every one of ``emails`` arrived exactly once (told apart by their Message-ID)."""
    arrived = [m["Message-ID"].strip() for m in smtp.messages]
    return all(arrived.count(email.message_id) == 1 for email in emails)

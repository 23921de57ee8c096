"""Escalation e-mails through the real path: PostgreSQL rows, Redis, a Celery worker process
and an SMTP server on loopback."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from harassment_portal.celery import app
from incidents.models import Notification, NotificationStatus
from incidents.services.escalation import escalations_sweep, notification_deliver
from tests.helpers import child_env, file_report
from tests.smtp import body_of, smtp_server
from tests.workers import celery_worker, child_database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

NARRATIVE = "The candidate struck the proctor on the arm."


@pytest.fixture
def smtp():
    with smtp_server() as recorder:
        yield recorder


def worker_for(smtp, **env):
    # Tasks left on the test queue by earlier tests (whose rows are gone) are dropped first.
    app.control.purge()
    return celery_worker(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        ESCALATION_RETRY_BACKOFF_SECONDS="1",
        ESCALATION_MAX_ATTEMPTS="3",
        SITE_URL="https://portal.example.com",
        **env,
    )


def emails(report) -> list[Notification]:
    return list(Notification.objects.filter(escalation__report=report, channel="email"))


def wait_until(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("the condition did not hold in time")


def test_a_severe_report_sends_exactly_one_email_to_each_recipient(demo, staff_tokyo, smtp):
    with worker_for(smtp):
        report = file_report(staff_tokyo, categories=("physical_attack",), narrative=NARRATIVE)
        expected = len(emails(report))
        smtp.wait_about(report.reference, expected)
        time.sleep(1.5)  # anything extra would have arrived by now
    mine = smtp.about(report.reference)
    assert len(mine) == expected
    for address in ("manager@example.com", "legal@example.com"):
        (message,) = [m for m in mine if address in m["To"]]
        body = body_of(message)
        assert report.reference in message["Subject"] and report.reference in body
        assert "https://portal.example.com/escalations/" in body
        assert "struck" not in body and "proctor" not in body
        assert message["Message-ID"].startswith("<notification-")
    assert {n.status for n in emails(report)} == {NotificationStatus.SENT}


def test_the_email_is_in_the_recipients_language(demo, staff_tokyo, manager, legal, smtp):
    manager.language, legal.language = "ja", "en"
    manager.save()
    legal.save()
    with worker_for(smtp):
        report = file_report(staff_tokyo, categories=("physical_attack",))
        mine = smtp.wait_about(report.reference, len(emails(report)))
    subjects = {m["To"]: m["Subject"] for m in mine}
    assert "エスカレーション" in subjects["manager@example.com"]
    assert "Escalation" in subjects["legal@example.com"]


SUBMIT_WITH_BROKER_DOWN = """
import time
import django
django.setup()
from accounts.models import User
from tests.helpers import file_report
started = time.monotonic()
report = file_report(User.objects.get(username="staff.tokyo"), categories=("physical_attack",))
print(report.reference, round(time.monotonic() - started, 2))
"""


def test_with_the_broker_down_the_report_is_saved_quickly_and_the_sweep_delivers_once(demo, smtp):
    result = subprocess.run(
        [sys.executable, "-c", SUBMIT_WITH_BROKER_DOWN],
        env=child_env(
            DJANGO_SETTINGS_MODULE="harassment_portal.settings.test",
            DATABASE_URL=child_database_url(),
            TEST_REDIS_URL="redis://127.0.0.1:1/0",  # nothing listens there
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    reference, seconds = result.stdout.split()
    assert float(seconds) < 5, result.stderr
    pending = Notification.objects.filter(escalation__report__reference=reference, channel="email")
    assert pending.exists() and all(n.status == "pending" for n in pending)

    with worker_for(smtp):
        # The broker is back: the next minute's sweep queues what is still pending.
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(
            queued_at=timezone.now() - timedelta(minutes=2)
        )
        escalations_sweep()
        smtp.wait_about(reference, pending.count())
        escalations_sweep()  # a second sweep finds nothing left to send
        time.sleep(1.5)
    assert len(smtp.about(reference)) == pending.count()
    assert all(n.status == "sent" for n in pending.all())


def test_a_duplicated_task_sends_one_email(demo, staff_tokyo, smtp):
    with worker_for(smtp):
        report = file_report(staff_tokyo, categories=("physical_attack",))
        count = len(emails(report))
        smtp.wait_about(report.reference, count)
        for notification in emails(report):  # the same tasks again, as a redelivery would
            app.send_task("incidents.tasks.deliver_notification", args=[notification.pk])
        time.sleep(2)
    assert len(smtp.about(report.reference)) == count
    assert notification_deliver(emails(report)[0].pk) == "sent"
    assert len(smtp.about(report.reference)) == count


def test_a_worker_killed_during_delivery_leaves_no_duplicate(demo, staff_tokyo, smtp):
    smtp.stall_seconds = 30  # the first delivery hangs in the middle of the SMTP exchange
    with worker_for(smtp) as worker:
        report = file_report(staff_tokyo, categories=("physical_attack",))
        wait_until(lambda: Notification.objects.filter(escalation__report=report).exists())
        time.sleep(2)  # the worker is now inside a delivery
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    assert not smtp.about(report.reference)
    smtp.stall_seconds = 0
    with worker_for(smtp):
        Notification.objects.filter(escalation__report=report).update(
            queued_at=timezone.now() - timedelta(minutes=2)
        )
        escalations_sweep()
        count = len(emails(report))
        smtp.wait_about(report.reference, count)
        time.sleep(1.5)
    assert len(smtp.about(report.reference)) == count
    assert {n.status for n in emails(report)} == {"sent"}


def test_an_smtp_server_that_refuses_is_retried_then_marked_failed_and_shown(
    demo, staff_tokyo, manager, smtp
):
    from tests.helpers import client_for

    smtp.refuse_with = "451 4.3.0 Try again later"
    with worker_for(smtp):
        report = file_report(staff_tokyo, categories=("physical_attack",))
        wait_until(
            lambda: all(n.status == "failed" for n in emails(report)) and emails(report), seconds=40
        )
    for notification in emails(report):
        assert notification.attempts == 3
        assert notification.attempts_log.filter(ok=False).count() == 3
        assert "451" in notification.last_error
    page = client_for(manager, language="en").get("/escalations/").content.decode()
    assert "E-mail undelivered" in page

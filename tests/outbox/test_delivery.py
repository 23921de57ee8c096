"""Escalation e-mails through the real path: the outbox rows written with the report, Redis,
a Celery worker process and an SMTP server on loopback."""

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from harassment_portal.celery import app
from incidents.models import IncidentReport
from outbox.models import Email
from outbox.services import email_deliver, outbox_sweep
from tests.helpers import child_env, client_for, file_report
from tests.smtp import body_of
from tests.workers import child_database_url

from .conftest import once_each, outbox_of, wait_until, worker_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

NARRATIVE = "The candidate struck the proctor on the arm."


def test_a_severe_report_sends_exactly_one_email_to_each_recipient(
    demo, staff_tokyo, smtp, settings
):
    settings.SITE_URL = "https://portal.example.com"  # rendered where the report is filed
    with worker_for(smtp):
        report = file_report(staff_tokyo, categories=("physical_attack",), narrative=NARRATIVE)
        emails = outbox_of(report)
        wait_until(lambda: once_each(smtp, emails), what="one e-mail each")
        wait_until(lambda: all(e.status == "sent" for e in outbox_of(report)), what="all sent")
    mine = smtp.about(report.reference)
    assert len(mine) == len(emails) >= 2
    for address in ("manager@example.com", "legal@example.com"):
        (message,) = [m for m in mine if address in m["To"]]
        body = body_of(message)
        assert report.reference in message["Subject"] and report.reference in body
        assert "https://portal.example.com/escalations/" in body
        assert "struck" not in body and "proctor" not in body
        assert message["Message-ID"].startswith("<notification-")


def test_the_email_is_in_the_recipients_language(demo, staff_tokyo, manager, legal, smtp):
    manager.language, legal.language = "ja", "en"
    manager.save()
    legal.save()
    with worker_for(smtp):
        report = file_report(staff_tokyo, categories=("physical_attack",))
        mine = smtp.wait_about(report.reference, len(outbox_of(report)))
    subjects = {m["To"]: m["Subject"] for m in mine}
    assert "エスカレーション" in subjects["manager@example.com"]
    assert "Escalation" in subjects["legal@example.com"]


SUBMIT_WITH_BROKER_DOWN = """
import django
django.setup()
from accounts.models import User
from tests.helpers import file_report
report = file_report(User.objects.get(username="staff.tokyo"), categories=("physical_attack",))
print(report.reference)
"""


def test_with_the_broker_down_the_report_is_saved_and_the_sweep_delivers_once(demo, smtp):
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
    reference = result.stdout.strip()
    assert reference, result.stderr
    emails = outbox_of(IncidentReport.objects.get(reference=reference))
    assert emails
    assert all(e.status == "pending" and e.queued_at is None for e in emails), [
        (e.status, e.queued_at) for e in emails
    ]

    Email.objects.exclude(pk__in=[e.pk for e in emails]).update(status="sent")  # the demo's
    with worker_for(smtp):
        # The broker is back: the next minute's sweep queues what is still pending.
        assert outbox_sweep()["queued"] == len(emails)
        wait_until(lambda: once_each(smtp, emails), what="one e-mail each")
        assert outbox_sweep()["queued"] == 0  # a second sweep finds nothing left to send
    assert len(smtp.about(reference)) == len(emails)
    assert {e.status for e in Email.objects.filter(pk__in=[e.pk for e in emails])} == {"sent"}


def test_a_duplicated_task_sends_one_email(demo, staff_tokyo, smtp):
    with worker_for(smtp):
        report = file_report(staff_tokyo, categories=("physical_attack",))
        emails = outbox_of(report)
        wait_until(lambda: once_each(smtp, emails))
        # The same task again, twice, as a redelivery would; then a marker task behind them
        # in the queue, so that when it has run the duplicates have too.
        ids = [e.pk for e in emails]
        app.send_task("outbox.tasks.send_emails", args=[ids])
        app.send_task("outbox.tasks.send_emails", args=[ids])
        marker = file_report(staff_tokyo, categories=("physical_attack",))
        wait_until(lambda: once_each(smtp, outbox_of(marker)))
    assert once_each(smtp, emails)
    assert email_deliver(emails[0].pk) == "sent"  # and in this process too: nothing
    assert len(smtp.about(report.reference)) == len(emails)


def test_a_worker_killed_before_the_message_left_leaves_no_duplicate(demo, staff_tokyo, smtp):
    smtp.stall_rcpt_seconds = 30  # the delivery hangs before the message is sent
    with worker_for(smtp) as worker:
        report = file_report(staff_tokyo, categories=("physical_attack",))
        wait_until(lambda: smtp.stalled_rcpts > 0, what="the worker inside a delivery")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    emails = outbox_of(report)
    assert not smtp.about(report.reference)
    assert {e.status for e in emails} == {"pending"}  # the lock died with the worker
    smtp.stall_rcpt_seconds = 0
    with worker_for(smtp):
        # The killed worker's task is gone until the broker's visibility timeout: the sweep
        # queues the e-mails again once OUTBOX_REQUEUE_AFTER_SECONDS have passed.
        with time_machine.travel(timezone.now() + timedelta(minutes=5)):
            assert outbox_sweep()["queued"] >= len(emails)  # the demo's own are there too
        wait_until(lambda: once_each(smtp, emails), what="one e-mail each")
        wait_until(lambda: all(e.status == "sent" for e in outbox_of(report)))
    assert len(smtp.about(report.reference)) == len(emails)


def test_a_refusing_server_is_retried_with_backoff_until_the_window_ends_then_shown(
    demo, staff_tokyo, manager, admin, smtp
):
    smtp.refuse_with = "451 4.3.0 Try again later"
    with worker_for(smtp, beat=True, OUTBOX_RETRY_WINDOW_SECONDS="6"):
        report = file_report(staff_tokyo, categories=("physical_attack",))
        wait_until(
            lambda: {e.status for e in outbox_of(report)} == {"failed"},
            what="every e-mail marked failed",
            describe=lambda: [
                (e.status, e.attempts, e.next_attempt_at, e.queued_at, e.retrying_since)
                for e in outbox_of(report)
            ],
        )
    for email in outbox_of(report):
        # More than one attempt each (the sweep retried it), none after the window.
        assert email.attempts >= 2
        assert email.attempts_log.filter(outcome="temporary").count() == email.attempts
        assert "451" in email.last_error
    assert not smtp.messages
    page = client_for(manager, language="en").get("/escalations/").content.decode()
    assert "E-mail undelivered" in page
    assert "data-outbox-banner" not in page  # the banner is for admins
    page = client_for(admin, language="en").get("/").content.decode()
    assert "data-outbox-banner" in page and "failed" in page

"""Faults that last longer than every retry window and timeout of the delivery path (their
clocks shortened through settings, see conftest.FAST_CLOCKS), each test counting what
arrived, what was lost and what came twice."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading

import pytest
from django.test import Client

from incidents.models import IncidentReport
from outbox.models import Email
from tests.helpers import child_env, client_for, file_report
from tests.redis_server import own_redis
from tests.workers import child_database_url

from .conftest import once_each, outbox_of, wait_until, worker_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SEVERE = ("physical_attack",)


def tally(smtp, emails: list[Email]) -> dict[str, int]:
    arrived = [m["Message-ID"].strip() for m in smtp.messages]
    counts = [arrived.count(email.message_id) for email in emails]
    return {
        "expected": len(emails),
        "arrived": sum(1 for c in counts if c >= 1),
        "lost": sum(1 for c in counts if c == 0),
        "twice": sum(1 for c in counts if c > 1),
    }


@pytest.fixture
def quiet_demo(demo):
    """The demo's own reports have e-mails too: out of the way, so that each test counts
    only its own."""
    Email.objects.update(status="sent")
    return demo


def reread(emails: list[Email]) -> list[Email]:
    return list(Email.objects.filter(pk__in=[e.pk for e in emails]))


def test_an_smtp_outage_longer_than_every_backoff_loses_nothing_and_sends_each_once(
    quiet_demo, staff_tokyo, manager, admin, smtp, settings
):
    settings.OUTBOX_ALERT_AFTER_SECONDS = 1  # the banner and /healthz, in this process
    smtp.outage.down()
    with worker_for(smtp, beat=True):
        reports = [file_report(staff_tokyo, categories=SEVERE) for _ in range(5)]
        emails = [email for report in reports for email in outbox_of(report)]
        # Down until every e-mail has failed more often than the six attempts after which
        # the old code gave up, and longer than the re-queue of a lost task: the outage
        # outlasts every clock of the path (its retry window, 72 hours, excepted).
        wait_until(
            lambda: min(e.attempts for e in reread(emails)) >= 7,
            seconds=90,
            what="seven attempts each at the dead server",
        )
        assert {e.status for e in reread(emails)} == {"pending"}  # nothing given up
        # Meanwhile the portal shows it all: the manager's bell, the admins' banner, healthz.
        page = client_for(manager, language="en").get("/escalations/").content.decode()
        assert all(report.reference in page for report in reports)
        assert "data-outbox-banner" not in page
        page = client_for(admin, language="en").get("/").content.decode()
        assert "data-outbox-banner" in page and "E-mail is not leaving the portal." in page
        health = Client().get("/healthz").json()["outbox"]
        assert health["ok"] is False and health["pending"] >= len(emails)
        assert health["oldest_pending_seconds"] >= 1

        smtp.outage.up()
        wait_until(lambda: once_each(smtp, emails), seconds=60, what="every e-mail once")
        wait_until(lambda: {e.status for e in reread(emails)} == {"sent"})
        # Anything still queued would run before a later report's e-mails (one worker).
        marker = file_report(staff_tokyo, categories=SEVERE)
        wait_until(lambda: once_each(smtp, outbox_of(marker)))
    figures = tally(smtp, emails)
    print("SMTP outage:", figures)
    assert figures == {"expected": len(emails), "arrived": len(emails), "lost": 0, "twice": 0}
    assert Client().get("/healthz").json()["outbox"]["pending"] == 0


def test_a_server_silent_after_the_message_gets_it_once_and_a_person_decides(
    quiet_demo, staff_tokyo, admin, manager, smtp
):
    smtp.stall_seconds = 3  # longer than the time allowed for the reply to the message
    with worker_for(smtp, beat=True, OUTBOX_SMTP_DATA_TIMEOUT_SECONDS="1"):
        report = file_report(staff_tokyo, categories=SEVERE)
        emails = outbox_of(report)
        wait_until(
            lambda: {e.status for e in reread(emails)} == {"uncertain"},
            what="every e-mail marked 'maybe delivered'",
        )
        smtp.stall_seconds = 0
        # The server did take them all (its replies were late): each once, none re-sent,
        # though the sweeps went on and a later report's e-mails went through.
        wait_until(lambda: once_each(smtp, emails), what="the late e-mails recorded")
        marker = file_report(staff_tokyo, categories=SEVERE)
        wait_until(lambda: once_each(smtp, outbox_of(marker)))
    figures = tally(smtp, emails)
    print("Slow SMTP:", figures)
    assert figures == {"expected": len(emails), "arrived": len(emails), "lost": 0, "twice": 0}
    assert all(e.attempts == 1 and e.last_outcome == "uncertain" for e in reread(emails))
    page = client_for(admin, language="en").get("/").content.decode()
    assert "may not have been delivered" in page
    page = client_for(manager, language="en").get("/escalations/").content.decode()
    assert "E-mail undelivered" in page


def test_a_permanent_refusal_fails_at_once_shows_and_an_admin_resends_it(
    quiet_demo, staff_tokyo, admin, smtp
):
    smtp.refuse_with = "550 5.1.1 Mailbox unavailable"
    with worker_for(smtp, beat=True):
        report = file_report(staff_tokyo, categories=SEVERE)
        emails = outbox_of(report)
        wait_until(lambda: {e.status for e in reread(emails)} == {"failed"})
        assert all(e.attempts == 1 and e.last_outcome == "permanent" for e in reread(emails))
        console = client_for(admin, language="en")
        assert "data-outbox-banner" in console.get("/").content.decode()
        listing = console.get("/admin/outbox/email/?status__exact=failed").content.decode()
        assert all(e.key in listing for e in emails)
        assert "data-outbox-banner" in listing  # the admin pages show it too

        smtp.refuse_with = None  # the address was corrected at the relay
        response = console.post(
            "/admin/outbox/email/",
            {"action": "resend", "_selected_action": [e.pk for e in emails]},
        )
        assert response.status_code == 302
        wait_until(lambda: once_each(smtp, emails), what="the resent e-mails")
    assert {e.status for e in reread(emails)} == {"sent"}
    assert "data-outbox-banner" not in client_for(admin).get("/").content.decode()


SUBMIT = """
import sys, time
import django
django.setup()
from accounts.models import User
from tests.helpers import file_report
reporter = User.objects.get(username="staff.tokyo")
for _ in range(int(sys.argv[1])):
    started = time.monotonic()
    report = file_report(reporter, categories=("physical_attack",))
    print(report.reference, round(time.monotonic() - started, 3), flush=True)
"""


def submit_elsewhere(count: int, broker_url: str) -> list[tuple[str, float]]:
    """File reports from a process of their own whose broker is ``broker_url``, as a web
    node would; returns each reference with the seconds its submission took."""
    result = subprocess.run(
        [sys.executable, "-c", SUBMIT, str(count)],
        env=child_env(
            DJANGO_SETTINGS_MODULE="harassment_portal.settings.test",
            DATABASE_URL=child_database_url(),
            TEST_REDIS_URL=broker_url,
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line.split() for line in result.stdout.splitlines()]
    assert len(lines) == count, result.stderr
    return [(reference, float(seconds)) for reference, seconds in lines]


@pytest.mark.parametrize("fault", ["stopped", "hung"])
def test_reports_filed_while_the_broker_is_down_escalate_once_it_is_back(quiet_demo, smtp, fault):
    with own_redis() as broker, worker_for(smtp, beat=True, TEST_REDIS_URL=broker.url):
        if fault == "stopped":
            broker.stop()
        else:
            broker.hang()
        filed = submit_elsewhere(4, broker.url)
        print(f"broker {fault}: seconds per submission", [seconds for _, seconds in filed])
        reports = [IncidentReport.objects.get(reference=reference) for reference, _ in filed]
        emails = [email for report in reports for email in outbox_of(report)]
        assert emails and {e.status for e in reread(emails)} == {"pending"}
        if fault == "stopped":
            broker.start()  # the same port, empty: the rows are what remembers
        else:
            broker.resume()
        wait_until(lambda: once_each(smtp, emails), seconds=60, what="every e-mail once")
        wait_until(lambda: {e.status for e in reread(emails)} == {"sent"})
    figures = tally(smtp, emails)
    print(f"broker {fault}:", figures)
    assert figures == {"expected": len(emails), "arrived": len(emails), "lost": 0, "twice": 0}


def test_a_hung_broker_is_asked_once_not_at_every_submission(quiet_demo):
    """A broker that accepts connections and never answers: the first submission gives up
    on it within the publish timeout, and the next ones do not wait on it again."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    accepted: list[socket.socket] = []

    def accept():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            accepted.append(connection)

    threading.Thread(target=accept, daemon=True).start()
    try:
        filed = submit_elsewhere(6, f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
    finally:
        listener.close()
        for connection in accepted:
            connection.close()
    print("hung broker: seconds per submission", [seconds for _, seconds in filed])
    assert len(accepted) <= 2 < len(filed)  # one publish attempt (a connection or two)
    saved = IncidentReport.objects.filter(reference__in=[r for r, _ in filed])
    assert saved.count() == len(filed)


def test_admins_are_emailed_of_an_email_that_failed_but_never_of_an_alert(
    quiet_demo, staff_tokyo, smtp, settings
):
    from outbox.services import email_deliver

    # Delivered from this process, to the real server, which refuses one address for good.
    settings.EMAIL_BACKEND = "outbox.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.ADMINS = [("Ops", "ops@example.com")]
    smtp.refuse_recipients = {"gone@example.com"}
    report = file_report(staff_tokyo, categories=SEVERE)
    refused, *_ = outbox_of(report)
    Email.objects.filter(pk=refused.pk).update(to="gone@example.com")

    assert email_deliver(refused.pk) == "permanent"
    (alert,) = Email.objects.filter(key__startswith="admin-alert:")
    assert email_deliver(alert.pk) == "sent"
    (message,) = smtp.to("ops@example.com")
    assert refused.key in message["Subject"] and "550" in message.get_body().get_content()
    assert report.reference not in message.get_body().get_content()  # the key, nothing more

    settings.ADMINS = [("Ops", "gone@example.com")]  # an alert that fails alerts nobody
    Email.objects.filter(pk=refused.pk).update(status="pending", next_attempt_at=refused.created_at)
    assert email_deliver(refused.pk) == "permanent"
    (second,) = Email.objects.filter(key__startswith="admin-alert:").exclude(pk=alert.pk)
    assert email_deliver(second.pk) == "permanent"
    assert Email.objects.filter(key__startswith="admin-alert:").count() == 2

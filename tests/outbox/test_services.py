"""The outbox's rules, one attempt at a time, in this process: the real SMTP client against
a port where nothing listens (the relay down), or Django's in-memory backend (the relay up).
The clock is moved with time_machine, never waited for."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from outbox.models import Email
from outbox.services import email_deliver, email_enqueue, outbox_sweep
from tests.smtp import free_port

# The demo data is there (tests/conftest.py), with e-mails of its own: out of the way.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_outbox")]


def enqueue(key: str = "test:1", to: str = "manager@example.com") -> Email:
    return email_enqueue(
        key=key,
        to=to,
        language="en",
        template="information_request",
        context={"reference": "CH-2026-000001", "url": "https://portal.example.com/"},
    )


@pytest.fixture
def relay_down(settings):
    settings.EMAIL_BACKEND = "outbox.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 30
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 1800
    return settings


def test_the_same_key_gives_one_email():
    first = enqueue()
    assert enqueue().pk == first.pk
    assert Email.objects.count() == 1


def test_no_address_no_email():
    assert enqueue(to="") is None
    assert not Email.objects.exists()


def test_each_failure_waits_longer_up_to_the_ceiling(relay_down):
    email = enqueue()
    waits = []
    now = timezone.now()
    for _ in range(10):
        with time_machine.travel(now, tick=False):
            assert email_deliver(email.pk) == "unreachable"
        email.refresh_from_db()
        waits.append((email.next_attempt_at - now).total_seconds())
        now = email.next_attempt_at
    assert waits[0] >= 15 and waits[1] >= 30 and waits[2] >= 60  # 30 s doubling, jittered
    assert max(waits) <= 1800 and waits[-1] >= 900  # capped at thirty minutes
    assert email.status == "pending" and email.attempts == 10


def test_an_email_is_not_attempted_before_it_is_due(relay_down):
    email = enqueue()
    email_deliver(email.pk)
    assert email_deliver(email.pk) == "not due"
    assert Email.objects.get(pk=email.pk).attempts == 1


def test_it_is_marked_failed_only_once_the_retry_window_has_passed(relay_down):
    email = enqueue()
    with time_machine.travel(timezone.now() + timedelta(hours=71)):
        assert email_deliver(email.pk) == "unreachable"
    assert Email.objects.get(pk=email.pk).status == "pending"
    with time_machine.travel(timezone.now() + timedelta(hours=72, minutes=1)):
        email_deliver(email.pk)
    assert Email.objects.get(pk=email.pk).status == "failed"


def test_a_success_brings_the_backlog_forward(relay_down, settings):
    waiting = enqueue("test:waiting")
    email_deliver(waiting.pk)  # unreachable: waits about thirty seconds now
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the relay is back
    assert email_deliver(enqueue("test:new").pk) == "sent"
    waiting.refresh_from_db()
    assert waiting.next_attempt_at <= timezone.now()


def test_the_sweep_queues_what_is_due_and_nothing_twice(relay_down, monkeypatch):
    from outbox import services

    published = []
    monkeypatch.setattr(services, "publish", lambda name, ids: published.append(ids) or True)
    due, later = enqueue("test:due"), enqueue("test:later")
    email_deliver(later.pk)  # failed once: not due for a while
    assert outbox_sweep() == {"due": 1, "queued": 1}
    assert published == [[due.pk]]
    # Its task is waiting: not again. Nothing else is due, so the unreachable server is
    # probed with the other; then both have a task waiting and nothing is queued.
    assert outbox_sweep() == {"due": 1, "queued": 1}
    assert published[-1] == [later.pk]
    assert outbox_sweep() == {"due": 0, "queued": 0}
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        # The task was lost with the broker: queued again; the failed one is due too.
        assert outbox_sweep()["queued"] == 2


def test_while_nothing_is_due_the_sweep_probes_an_unreachable_server(relay_down, monkeypatch):
    from outbox import services

    published = []
    monkeypatch.setattr(services, "publish", lambda name, ids: published.append(ids) or True)
    email = enqueue()
    email_deliver(email.pk)
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        assert outbox_sweep() == {"due": 1, "queued": 1}  # not due, but a probe
    assert published == [[email.pk]]


def test_a_sent_email_is_never_sent_again_by_a_task():
    email = enqueue()
    assert email_deliver(email.pk) == "sent"
    assert email_deliver(email.pk) == "sent"  # its status, and no attempt
    assert len(mail.outbox) == 1


def test_the_console_prints_a_japanese_email_as_it_reads():
    import io

    from django.core.mail import EmailMessage

    from outbox.console import EmailBackend

    stream = io.StringIO()
    message = EmailMessage("エスカレーション: CH-2026-000001", "山本 浩二 様\n確認してください。")
    message.to = ["manager@example.com"]
    EmailBackend(stream=stream).send_messages([message])
    printed = stream.getvalue()
    assert "Subject: エスカレーション: CH-2026-000001" in printed
    assert "山本 浩二 様" in printed and "=?utf-8?" not in printed

"""Writes to the outbox: enqueue an e-mail in the caller's transaction, deliver one, sweep
what is due, resend on an admin's word.

One retry owner: a delivery task makes exactly one attempt and, when it fails, writes when
the next one is due; only the sweep (Celery beat) queues the next attempt. The backoff is
exponential with jitter, capped (``OUTBOX_BACKOFF_MAX_SECONDS``), and an e-mail is retried
for ``OUTBOX_RETRY_WINDOW_SECONDS`` (72 hours) before it is marked failed, so an SMTP outage
of an afternoon loses nothing. A permanent refusal (5xx) fails at once; a message the server
may have accepted is not sent again without a person (``EmailStatus.UNCERTAIN``)."""

from __future__ import annotations

import logging
import random
import smtplib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from harassment_portal.queue import publish

from .models import AttemptOutcome, DeliveryAttempt, Email, EmailStatus
from .smtp import MaybeDelivered

logger = logging.getLogger(__name__)

SEND_TASK = "outbox.tasks.send_emails"
BATCH = 50


@dataclass(frozen=True)
class OutgoingEmail:
    """One e-mail to write: the templates ``emails/<template>_subject.txt``, ``.txt`` and
    ``.html``, rendered in ``language`` with ``context``; ``key`` names what it is about."""

    key: str
    to: str
    language: str
    template: str
    context: dict


def email_enqueue(
    *, key: str, to: str, language: str, template: str, context: dict
) -> Email | None:
    """Write one e-mail as an outbox row: :func:`emails_enqueue` for one."""
    (email,) = emails_enqueue([OutgoingEmail(key, to, language, template, context)])
    return email


def emails_enqueue(
    messages: Iterable[OutgoingEmail], *, send_on_commit: bool = False
) -> list[Email | None]:
    """Write each e-mail of ``messages``, rendered now in its language, as an outbox row, in
    one INSERT whatever their number. Call inside the transaction of the change they tell
    of, then :func:`emails_send_on_commit` with what it returns (in the order of
    ``messages``), or pass ``send_on_commit``, which writes them already marked queued and
    queues them once the transaction commits: the same, without the UPDATE (a submission
    that escalates writes its e-mails so). The same ``key`` twice gives the one row (written
    first, its content left as it is); no address, no row (None). Subjects are built from
    references and rule names only, so no user-typed text can reach a header; whitespace is
    folded."""
    messages = list(messages)
    queued_at = timezone.now() if send_on_commit else None
    rows: dict[str, Email] = {}
    for message in messages:
        if message.to and message.key not in rows:
            rows[message.key] = _rendered(message, queued_at)
    if not rows:
        return [None] * len(messages)
    # ON CONFLICT (key) DO UPDATE of the key alone, so that the statement returns the id of
    # every row, a row already written (a retried transaction) included, whose content stays
    # as it was: one statement, where ON CONFLICT DO NOTHING needed a SELECT after it.
    written = Email.objects.bulk_create(
        rows.values(), update_conflicts=True, unique_fields=["key"], update_fields=["key"]
    )
    by_key = {email.key: email for email in written}
    if send_on_commit:
        ids = [email.pk for email in written]
        transaction.on_commit(lambda: _publish(ids, queued_at))
    return [by_key[message.key] if message.to else None for message in messages]


def _rendered(message: OutgoingEmail, queued_at: datetime | None = None) -> Email:
    with translation.override(message.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{message.template}_subject.txt", message.context)
        text = render_to_string(f"emails/{message.template}.txt", message.context)
        html = render_to_string(f"emails/{message.template}.html", message.context)
    key = message.key
    return Email(
        key=key,
        to=message.to,
        subject=" ".join(subject.split())[:300],
        body_text=text,
        body_html=html,
        message_id=f"<{key.replace(':', '-')}.{uuid.uuid4().hex[:16]}@harassment-portal>",
        queued_at=queued_at,
    )


def emails_send_on_commit(emails: Iterable[Email | None]) -> None:
    """Once the caller's transaction commits, queue one task for these e-mails (one publish
    per change, however many recipients). They are marked queued in the caller's transaction
    rather than by a commit of their own after it (one write less for every submission that
    escalates): if the broker does not take the task, the mark is taken back and the sweep
    queues them; if the process dies before it publishes, the sweep queues them too, once
    OUTBOX_REQUEUE_AFTER_SECONDS have passed, as it does a task lost with the broker."""
    ids = [email.pk for email in emails if email is not None]
    if ids:
        queued_at = timezone.now()
        Email.objects.filter(pk__in=ids).update(queued_at=queued_at)
        transaction.on_commit(lambda: _publish(ids, queued_at))


def _queue(ids: list[int]) -> bool:
    now = timezone.now()
    Email.objects.filter(pk__in=ids).update(queued_at=now)
    return _publish(ids, now)


def _publish(ids: list[int], queued_at: datetime) -> bool:
    if publish(SEND_TASK, ids):
        return True
    Email.objects.filter(pk__in=ids, queued_at=queued_at).update(queued_at=None)
    return False


def emails_deliver(ids: list[int]) -> dict[str, int]:
    """One attempt for each e-mail of ``ids`` (the task). Once the server is found
    unreachable, the rest of the batch is not sent to it but backs off as if it had been
    tried: one connection per batch, not a connection timeout per e-mail of a backlog."""
    outcomes: dict[str, int] = {}
    unreachable = ""
    for email_id in ids:
        outcome = email_deliver(email_id, unreachable=unreachable)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome == AttemptOutcome.UNREACHABLE and not unreachable:
            unreachable = Email.objects.values_list("last_error", flat=True).get(pk=email_id)
    return outcomes


def email_deliver(email_id: int, *, unreachable: str = "") -> str:
    """Send one outbox e-mail once. The row is locked for the attempt (a duplicated task
    finds it busy or already sent, and a row not yet due is left alone), and its outcome is
    written in the transaction that sent it. With ``unreachable`` (the error another e-mail
    of the batch just met) the server is not tried again. Returns the outcome, or why
    nothing was done."""
    with transaction.atomic():
        email = Email.objects.select_for_update(skip_locked=True).filter(pk=email_id).first()
        now = timezone.now()
        if email is None:
            return "busy"  # another worker holds it: that one sends it
        if email.status != EmailStatus.PENDING:
            return email.status
        if email.next_attempt_at > now:
            return "not due"
        if unreachable:
            outcome, error = AttemptOutcome.UNREACHABLE, f"(not tried) {unreachable}"[:1000]
        else:
            outcome, error = _attempt(email)
        now = timezone.now()
        DeliveryAttempt.objects.create(email=email, at=now, outcome=outcome, error=error)
        email.attempts += 1
        email.last_attempt_at = now
        email.last_outcome = outcome
        email.last_error = error
        if outcome == AttemptOutcome.SENT:
            email.status = EmailStatus.SENT
            email.sent_at = now
        elif outcome == AttemptOutcome.PERMANENT:
            email.status = EmailStatus.FAILED
        elif outcome == AttemptOutcome.UNCERTAIN:
            email.status = EmailStatus.UNCERTAIN
        elif now - email.retrying_since >= _retry_window():
            email.status = EmailStatus.FAILED
        else:
            email.next_attempt_at = now + _backoff(email.attempts)
        email.save()
        if email.needs_a_person:
            emails_send_on_commit(_alert_admins(email))
    if email.needs_a_person:
        logger.error("e-mail %s (%s) %s: %s", email.pk, email.key, email.status, error)
    if outcome == AttemptOutcome.SENT:
        _backlog_due_now()
    return outcome


def _backlog_due_now() -> None:
    """The server is back: what waited out an outage goes at the next sweep, not at the end
    of a thirty-minute backoff. Its own transaction, after the sent one has committed, and
    rows that another worker holds are skipped: waiting on them (or a deadlock with them)
    must never roll back the record of an e-mail that has left."""
    with transaction.atomic():
        waiting = list(
            Email.objects.select_for_update(skip_locked=True)
            .filter(
                status=EmailStatus.PENDING,
                last_outcome=AttemptOutcome.UNREACHABLE,
                next_attempt_at__gt=timezone.now(),
            )
            .values_list("pk", flat=True)[:1000]
        )
        Email.objects.filter(pk__in=waiting).update(next_attempt_at=timezone.now())


ALERT = "admin-alert:"


def _alert_admins(email: Email) -> list[Email | None]:
    """Tell ADMIN_EMAILS, through the outbox too, of an e-mail that needs a person: a relay
    that refused one address still carries the alert; one that is down cannot, and the
    banner and /healthz say so instead. (Never an alert about an alert.)"""
    if email.key.startswith(ALERT):
        return []
    return [
        email_enqueue(
            key=f"{ALERT}{email.pk}:{email.status}:{address}",
            to=address,
            language=settings.LANGUAGE_CODE,
            template="admin_alert",
            context={"email": email, "status": email.get_status_display()},
        )
        for _name, address in settings.ADMINS
    ]


def _attempt(email: Email) -> tuple[str, str]:
    message = EmailMultiAlternatives(
        email.subject, email.body_text, to=[email.to], headers={"Message-ID": email.message_id}
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        message.send()
    except MaybeDelivered as failure:
        return AttemptOutcome.UNCERTAIN, str(failure)[:1000]
    except (smtplib.SMTPException, OSError) as failure:
        return _classify(failure), f"{type(failure).__name__}: {failure}"[:1000]
    return AttemptOutcome.SENT, ""


def _classify(failure: Exception) -> str:
    """5xx refusals of the recipient or the message are final; everything else (4xx, a
    refused or dropped connection, a timeout before the message left) is worth retrying."""
    if isinstance(failure, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in failure.recipients.values()]
        permanent = codes and min(codes) >= 500
        return AttemptOutcome.PERMANENT if permanent else AttemptOutcome.TEMPORARY
    if isinstance(failure, smtplib.SMTPDataError | smtplib.SMTPSenderRefused):
        permanent = failure.smtp_code >= 500
        return AttemptOutcome.PERMANENT if permanent else AttemptOutcome.TEMPORARY
    if isinstance(failure, smtplib.SMTPResponseException):
        return AttemptOutcome.TEMPORARY
    return AttemptOutcome.UNREACHABLE


def _retry_window() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_RETRY_WINDOW_SECONDS)


def _backoff(attempts: int) -> timedelta:
    ceiling = min(
        settings.OUTBOX_BACKOFF_MAX_SECONDS,
        settings.OUTBOX_BACKOFF_BASE_SECONDS * 2 ** min(attempts - 1, 20),
    )
    # "Equal jitter": never sooner than half the backoff, so that a crowd of e-mails that
    # failed together does not come back together.
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311


def outbox_sweep() -> dict[str, int]:
    """Every minute (beat): queue every e-mail that is due and has no task waiting, and one
    probe of a server that was unreachable, so mail leaves within minutes of its return."""
    now = timezone.now()
    requeue_before = now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    # No task is waiting for it: never queued, queued long ago (the task was lost with a
    # broker that went away), or attempted since it was last queued.
    no_task_waiting = (
        Q(queued_at__isnull=True)
        | Q(queued_at__lt=requeue_before)
        | Q(last_attempt_at__gte=F("queued_at"))
    )
    due = list(
        Email.objects.filter(status=EmailStatus.PENDING, next_attempt_at__lte=now)
        .filter(no_task_waiting)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:1000]
    )
    if not due:
        probe = (
            Email.objects.filter(
                status=EmailStatus.PENDING, last_outcome=AttemptOutcome.UNREACHABLE
            )
            .filter(no_task_waiting)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if probe is not None:
            Email.objects.filter(pk=probe).update(next_attempt_at=now)
            due = [probe]
    queued = 0
    for start in range(0, len(due), BATCH):
        if not _queue(due[start : start + BATCH]):
            break
        queued += len(due[start : start + BATCH])
    return {"due": len(due), "queued": queued}


def email_resend(*, email: Email) -> Email:
    """An admin's "send again": a failed e-mail, or one that may have been delivered, goes
    once more with the same Message-ID, after a fresh retry window."""
    with transaction.atomic():
        email = Email.objects.select_for_update().get(pk=email.pk)
        if email.status == EmailStatus.PENDING:
            return email
        now = timezone.now()
        email.status = EmailStatus.PENDING
        email.retrying_since = now
        email.next_attempt_at = now
        email.queued_at = None
        email.save(update_fields=["status", "retrying_since", "next_attempt_at", "queued_at"])
        emails_send_on_commit([email])
    return email

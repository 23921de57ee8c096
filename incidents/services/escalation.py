"""Escalation (DESIGN.md §5): rules evaluated in the transaction of the change that triggers
them, notifications written as rows there too, e-mails delivered by Celery from those rows,
and a sweep that re-queues what is pending and raises what nobody acknowledged in time."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.policy import recipient_ids
from outbox.models import Email
from outbox.services import email_enqueue, emails_send_on_commit
from policy.models import Severity

from ..models import (
    RECORD_STATUSES,
    Escalation,
    EscalationRule,
    EventKind,
    IncidentReport,
    Notification,
    NotificationChannel,
    RepeatEscalation,
)
from .mail import portal_url
from .timeline import record_event

logger = logging.getLogger(__name__)


def rule_fires(rule: EscalationRule, report: IncidentReport, category_ids: set[int]) -> bool:
    """Any condition that is set and holds fires the rule (the repeat count is checked by
    the caller, which knows the candidate's history)."""
    if rule.min_severity and Severity(report.severity).rank >= Severity(rule.min_severity).rank:
        return True
    if category_ids & {category.pk for category in rule.any_categories.all()}:
        return True
    return (
        (rule.on_injury and report.injury)
        or (rule.on_police and report.police_called)
        or (rule.on_support and report.support_requested)
        or (rule.on_advice and report.advice_requested)
    )


def _repeat_threshold_crossed(rule: EscalationRule, report: IncidentReport) -> bool:
    if not rule.is_repeat_rule or report.candidate_id is None:
        return False
    since = timezone.now() - timedelta(days=rule.repeat_days)
    count = IncidentReport.objects.filter(
        candidate_id=report.candidate_id, status__in=RECORD_STATUSES, submitted_at__gte=since
    ).count()
    return count >= rule.repeat_count


def recipients_of(rule: EscalationRule, report: IncidentReport) -> list[User]:
    """The people a rule tells about ``report``: its roles (as the capability policy reads
    them for the report's center), its named users; never the reporter."""
    user_ids = recipient_ids(rule.recipient_roles, report.center_id)
    user_ids |= {user.pk for user in rule.recipient_users.all()}
    user_ids.discard(report.reporter_id)
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def escalate_report(*, report: IncidentReport, by: User | None) -> list[Escalation]:
    """Evaluate the rules for ``report``; write escalations, notifications and timeline
    events. Call inside the transaction of the change (submission, a raised severity): a
    rollback leaves nothing. Then, once the report has its reference, the e-mails:
    :func:`escalations_email`."""
    category_ids = set(report.categories.values_list("pk", flat=True))
    rules = EscalationRule.objects.filter(active=True).prefetch_related(
        "any_categories", "recipient_users"
    )
    raised: list[Escalation] = []
    for rule in rules:
        repeat = _repeat_threshold_crossed(rule, report)
        if not (repeat or rule_fires(rule, report, category_ids)):
            continue
        if Escalation.objects.filter(report=report, rule=rule, previous__isnull=True).exists():
            continue  # e.g. a severity raised at triage after the report already escalated
        case_file = report.case_file
        if repeat and RepeatEscalation.objects.filter(case_file=case_file, rule=rule).exists():
            continue  # managers hear of a repeat candidate once
        escalation = _raise(rule, report, case_file, by, previous=None)
        if repeat:
            RepeatEscalation.objects.create(case_file=case_file, rule=rule, escalation=escalation)
        raised.append(escalation)
    return raised


def escalations_email(escalations: list[Escalation]) -> None:
    """Write the e-mail (an outbox row) of each e-mail notification of ``escalations``, in
    the transaction that raised them, and queue them all with one publish once it commits."""
    notifications = list(
        Notification.objects.filter(
            escalation__in=escalations, channel=NotificationChannel.EMAIL, outbox_email=None
        ).select_related("escalation__report__center", "escalation__rule", "recipient")
    )
    for notification in notifications:
        notification.outbox_email = _escalation_email(notification)
    Notification.objects.bulk_update(notifications, ["outbox_email"])
    emails_send_on_commit(n.outbox_email for n in notifications)


def _raise(rule, report, case_file, by, *, previous: Escalation | None) -> Escalation:
    """Write the escalation, a notification for each person and address told, and the
    timeline event."""
    now = timezone.now()
    escalation = Escalation.objects.create(
        report=report,
        case_file=case_file,
        rule=rule,
        previous=previous,
        created_at=now,
        ack_deadline=now + timedelta(minutes=rule.ack_minutes) if rule.ack_minutes else None,
    )
    notifications = []
    for user in recipients_of(rule, report):
        notifications.append(Notification(escalation=escalation, recipient=user, channel="portal"))
        if user.email:
            notifications.append(
                Notification(escalation=escalation, recipient=user, channel="email")
            )
    for address in rule.external_addresses():
        notifications.append(Notification(escalation=escalation, email=address, channel="email"))
    Notification.objects.bulk_create(notifications)
    record_event(
        EventKind.ESCALATED_NEXT_LEVEL if previous else EventKind.ESCALATED,
        actor=by,
        report=report,
        case_file=case_file,
        details={"rule": rule.pk},  # named at display in the reader's language
    )
    return escalation


def _escalation_email(notification: Notification) -> Email | None:
    """The e-mail of one notification, in the recipient's language: the reference, the
    center, the severity, the rule and links, never the narrative or the candidate."""
    escalation = notification.escalation
    report = escalation.report
    context = {
        "reference": report.reference,
        "center": report.center.code,
        "severity": Severity(report.severity).label,  # lazy: rendered in the recipient's language
        "rule_ja": escalation.rule.name_ja,
        "rule_en": escalation.rule.name_en,
        "overdue": escalation.previous_id is not None,
        "deadline": escalation.ack_deadline,
        "url": portal_url(reverse("escalations:inbox") + f"?escalation={escalation.pk}"),
        "report_url": portal_url(
            reverse("incidents:detail", kwargs={"reference": report.reference})
        ),
        "user": notification.recipient,
    }
    recipient = notification.recipient
    return email_enqueue(
        key=f"notification:{notification.pk}",
        to=recipient.email if recipient else notification.email,
        language=recipient.language if recipient else settings.LANGUAGE_CODE,
        template="escalation",
        context=context,
    )


def escalations_sweep() -> dict[str, int]:
    """Every minute (beat): raise to the next level, once, every escalation past its
    deadline that nobody acknowledged. (Its e-mails are the outbox's to deliver.)"""
    now = timezone.now()
    raised = 0
    while True:
        with transaction.atomic():
            overdue = list(
                Escalation.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("rule__next_level", "report__center")
                .filter(acknowledged_at__isnull=True, ack_deadline__lt=now, next__isnull=True)
                .filter(rule__next_level__isnull=False)
                .order_by("pk")[:100]
            )
            escalations_email(
                [
                    _raise(
                        escalation.rule.next_level,
                        escalation.report,
                        escalation.case_file,
                        None,
                        previous=escalation,
                    )
                    for escalation in overdue
                ]
            )
            raised += len(overdue)
        if len(overdue) < 100:
            return {"raised": raised}


def escalation_acknowledge(*, escalation: Escalation, by: User, note: str = "") -> Escalation:
    with transaction.atomic():
        escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
        if escalation.acknowledged_at is not None:
            return escalation
        escalation.acknowledged_at = timezone.now()
        escalation.acknowledged_by = by
        escalation.ack_note = note.strip()
        escalation.save(update_fields=["acknowledged_at", "acknowledged_by", "ack_note"])
        Notification.objects.filter(
            escalation=escalation, recipient=by, channel=NotificationChannel.PORTAL, read_at=None
        ).update(read_at=escalation.acknowledged_at)
        record_event(
            EventKind.ESCALATION_ACKNOWLEDGED,
            actor=by,
            report=escalation.report,
            case_file=escalation.case_file,
            note=note.strip(),
        )
    return escalation

"""Escalation (DESIGN.md §5): rules evaluated in the transaction of the change that triggers
them, notifications written as rows there too, e-mails delivered by Celery from those rows,
and a sweep that re-queues what is pending and raises what nobody acknowledged in time."""

from __future__ import annotations

import logging
from datetime import timedelta
from smtplib import SMTPException

from celery import current_app
from django.conf import settings
from django.core.mail import mail_admins
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role, User
from policy.models import Severity

from ..models import (
    RECORD_STATUSES,
    Decision,
    DeliveryAttempt,
    Escalation,
    EscalationRule,
    EventKind,
    IncidentReport,
    InformationRequest,
    Notification,
    NotificationChannel,
    NotificationStatus,
    Outcome,
    RepeatEscalation,
    TimelineEvent,
)
from .mail import portal_url, send_email

logger = logging.getLogger(__name__)

DELIVER_TASK = "incidents.tasks.deliver_notification"
INFORMATION_REQUEST_TASK = "incidents.tasks.send_information_request"
CUSTOMER_SERVICE_TASK = "incidents.tasks.route_to_customer_service"
# A notification still pending this long after it was queued is queued again by the sweep.
REQUEUE_AFTER = timedelta(minutes=1)
# Roles told at the report's own center; the other roles are told wherever they work.
CENTER_BOUND_ROLES = (Role.SUPERVISOR, Role.STAFF_CARE)


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
    """The people a rule tells about ``report``: its roles (supervisors and staff-care of the
    report's center, managers and legal everywhere), its named users; never the reporter."""
    by_role = Q()
    for role in rule.recipient_roles:
        if role in CENTER_BOUND_ROLES:
            by_role |= Q(role=role, center=report.center) | Q(role=role, center__isnull=True)
        else:
            by_role |= Q(role=role)
    user_ids = set()
    if rule.recipient_roles:
        user_ids |= set(Membership.objects.filter(by_role).values_list("user_id", flat=True))
    user_ids |= {user.pk for user in rule.recipient_users.all()}
    user_ids.discard(report.reporter_id)
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def escalate_report(*, report: IncidentReport, by: User | None) -> list[Escalation]:
    """Evaluate the rules for ``report``; write escalations, notifications and timeline
    events. Call inside the transaction of the change (submission, a raised severity): a
    rollback leaves nothing, and the e-mails are queued only once it has committed."""
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


def _raise(rule, report, case_file, by, *, previous: Escalation | None) -> Escalation:
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
    TimelineEvent.objects.create(
        kind=EventKind.ESCALATED_NEXT_LEVEL if previous else EventKind.ESCALATED,
        report=report,
        case_file=case_file,
        actor=by,
        note=rule.name_en,
    )
    email_ids = [n.pk for n in notifications if n.channel == NotificationChannel.EMAIL]
    transaction.on_commit(lambda: queue_deliveries(email_ids))
    return escalation


def queue_deliveries(notification_ids: list[int]) -> None:
    """Put a delivery task on the queue for each notification. Called after the commit; if
    Redis is down the rows stay pending and the sweep queues them again later."""
    if not notification_ids:
        return
    Notification.objects.filter(pk__in=notification_ids).update(queued_at=timezone.now())
    for notification_id in notification_ids:
        if not queue_task(DELIVER_TASK, notification_id):
            return


def queue_task(name: str, object_id: int) -> bool:
    """Queue a task by name (the tasks module imports the services). A broker outage never
    fails the request that committed the row: the sweep queues it again later."""
    try:
        current_app.send_task(name, args=[object_id])
    except Exception:  # noqa: BLE001
        logger.warning("could not queue %s(%s): the sweep will", name, object_id)
        return False
    return True


class DeliveryFailed(Exception):
    """An attempt failed; the task retries it (with backoff) unless it was the last."""


def notification_deliver(notification_id: int) -> str:
    """Send one e-mail notification, once: the row is locked, a sent one is skipped, and it
    is marked sent in the same transaction that sent it. Returns what happened."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("escalation__report__center", "escalation__rule", "recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return "busy"  # another worker holds it: that one will deliver it
        if notification.status != NotificationStatus.PENDING:
            return notification.status
        error = ""
        try:
            _send_escalation_email(notification)
        except (SMTPException, OSError) as failure:
            error = f"{type(failure).__name__}: {failure}"[:1000]
        notification.attempts += 1
        DeliveryAttempt.objects.create(notification=notification, ok=not error, error=error)
        if not error:
            notification.status = NotificationStatus.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
        else:
            notification.last_error = error
            if notification.attempts >= settings.ESCALATION_MAX_ATTEMPTS:
                notification.status = NotificationStatus.FAILED
                transaction.on_commit(lambda: _alert_admins(notification))
        notification.save()
    if error and notification.status == NotificationStatus.PENDING:
        raise DeliveryFailed(error)
    return notification.status


def _send_escalation_email(notification: Notification) -> None:
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
    language = notification.recipient.language if notification.recipient else settings.LANGUAGE_CODE
    address = notification.recipient.email if notification.recipient else notification.email
    send_email(
        to=address,
        language=language,
        template="escalation",
        context=context,
        message_id=f"<notification-{notification.pk}@harassment-portal>",
    )


def _alert_admins(notification: Notification) -> None:
    mail_admins(
        "Escalation e-mail undelivered",
        f"Notification {notification.pk} of escalation {notification.escalation_id} failed "
        f"after {notification.attempts} attempts: {notification.last_error}\n"
        f"{portal_url(reverse('escalations:inbox'))}",
        fail_silently=True,
    )


def notification_resend(*, notification: Notification) -> Notification:
    """An admin's "resend": a failed (or sent) e-mail goes out again."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        notification.status = NotificationStatus.PENDING
        notification.attempts = 0
        notification.save(update_fields=["status", "attempts"])
        transaction.on_commit(lambda: queue_deliveries([notification.pk]))
    return notification


def escalations_sweep() -> dict[str, int]:
    """Every minute (beat): queue again what is still pending, and raise to the next level,
    once, every escalation past its deadline that nobody acknowledged."""
    now = timezone.now()
    stale = list(
        Notification.objects.filter(
            status=NotificationStatus.PENDING,
            channel=NotificationChannel.EMAIL,
        )
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER))
        .values_list("pk", flat=True)[:500]
    )
    queue_deliveries(stale)
    _requeue_customer_service(now)
    _requeue_information_requests(now)
    raised = 0
    while True:
        with transaction.atomic():
            overdue = list(
                Escalation.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("rule__next_level", "report")
                .filter(acknowledged_at__isnull=True, ack_deadline__lt=now, next__isnull=True)
                .filter(rule__next_level__isnull=False)
                .order_by("pk")[:100]
            )
            for escalation in overdue:
                _raise(
                    escalation.rule.next_level,
                    escalation.report,
                    escalation.case_file,
                    None,
                    previous=escalation,
                )
            raised += len(overdue)
        if len(overdue) < 100:
            return {"requeued": len(stale), "raised": raised}


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
        TimelineEvent.objects.create(
            kind=EventKind.ESCALATION_ACKNOWLEDGED,
            report=escalation.report,
            case_file=escalation.case_file,
            actor=by,
            note=note.strip(),
        )
    return escalation


def _requeue_customer_service(now) -> None:
    """Complaints found legitimate whose e-mail to customer service has not left yet (the
    broker was down when the decision was made): queue them again."""
    if not settings.CUSTOMER_SERVICE_EMAIL:
        return
    waiting = Decision.objects.filter(
        outcome=Outcome.LEGITIMATE_COMPLAINT,
        routed_at__isnull=True,
        proposed_at__lt=now - REQUEUE_AFTER,
    ).values_list("pk", flat=True)[:100]
    for decision_id in waiting:
        if not queue_task(CUSTOMER_SERVICE_TASK, decision_id):
            return


def _requeue_information_requests(now) -> None:
    """Questions to reporters whose e-mail has not left yet."""
    waiting = InformationRequest.objects.filter(
        emailed_at__isnull=True, created_at__lt=now - REQUEUE_AFTER
    ).values_list("pk", flat=True)[:100]
    for request_id in waiting:
        if not queue_task(INFORMATION_REQUEST_TASK, request_id):
            return

"""Escalations as each person sees them: the inbox and the bell."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.policy import capabilities_of
from outbox.models import EmailStatus

from ..models import Escalation, Notification, NotificationChannel


def sees_all_escalations(user: User) -> bool:
    return capabilities_of(user).sees_every_escalation


def may_use_inbox(user: User) -> bool:
    return sees_all_escalations(user) or Notification.objects.filter(recipient=user).exists()


def visible_escalations(user: User) -> QuerySet[Escalation]:
    """Managers and legal see every escalation; anyone else those addressed to them."""
    if sees_all_escalations(user):
        return Escalation.objects.all()
    addressed = Notification.objects.filter(escalation=OuterRef("pk"), recipient=user)
    return Escalation.objects.filter(Exists(addressed))


@dataclass(frozen=True)
class EscalationFilters:
    state: str = "open"  # "open", "acknowledged" or "all"
    severity: str = ""
    center: int | None = None
    overdue: bool = False
    escalation: int | None = None  # one escalation, as an e-mail links to it


def escalation_inbox(user: User, filters: EscalationFilters) -> QuerySet[Escalation]:
    undelivered = Notification.objects.filter(
        escalation=OuterRef("pk"),
        channel=NotificationChannel.EMAIL,
        # Failed, or the server went silent after the message: a person must look.
        outbox_email__status__in=(EmailStatus.FAILED, EmailStatus.UNCERTAIN),
    )
    escalations = (
        visible_escalations(user)
        .select_related("report__center", "rule", "acknowledged_by", "case_file")
        .annotate(undelivered=Exists(undelivered))
    )
    if filters.state == "open":
        escalations = escalations.filter(acknowledged_at__isnull=True)
    elif filters.state == "acknowledged":
        escalations = escalations.filter(acknowledged_at__isnull=False)
    if filters.severity:
        escalations = escalations.filter(report__severity=filters.severity)
    if filters.center:
        escalations = escalations.filter(report__center_id=filters.center)
    if filters.escalation is not None:
        escalations = escalations.filter(pk=filters.escalation)
    if filters.overdue:
        escalations = escalations.filter(
            acknowledged_at__isnull=True, ack_deadline__lt=timezone.now()
        )
    return escalations.order_by("acknowledged_at", "-created_at", "-pk")


def get_escalation_for_user(user: User, escalation_id: int) -> Escalation:
    escalation = visible_escalations(user).select_related("report").filter(pk=escalation_id).first()
    if escalation is None:
        raise Http404("No such escalation.")
    return escalation


def bell_count(user: User) -> int:
    """Unacknowledged escalations addressed to ``user`` plus unread notifications: one query."""
    if not user.is_authenticated:
        return 0
    return (
        Notification.objects.filter(
            recipient=user,
            channel=NotificationChannel.PORTAL,
            read_at__isnull=True,
        )
        .filter(Q(escalation__acknowledged_at__isnull=True))
        .count()
    )

"""Escalations as each person sees them: the inbox and the bell.

The inbox shows one card per incident (report), with every escalation of it the viewer may see
and each recipient's state. A card is "to act on" when the viewer was told of one of its
escalations and nobody has acknowledged that one yet; the other cards are for information.
The bell counts exactly the cards to act on: both come from :func:`escalations_to_act_on`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.policy import ReportReading, capabilities_of, report_reading
from outbox.models import EmailStatus

from ..models import Escalation, IncidentReport, Notification, NotificationChannel


class InboxTab:
    TO_ACT_ON = "act"
    FOR_INFORMATION = "info"


# E-mail outcomes a person must look at: failed, or the server went silent after the message.
UNDELIVERED = (EmailStatus.FAILED, EmailStatus.UNCERTAIN)


def sees_all_escalations(user: User) -> bool:
    return capabilities_of(user).sees_every_escalation


def may_use_inbox(user: User) -> bool:
    return sees_all_escalations(user) or Notification.objects.filter(recipient=user).exists()


def _told(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(escalation=OuterRef("pk"), recipient=user)


def visible_escalations(user: User) -> QuerySet[Escalation]:
    """Managers and legal see every escalation; anyone else those addressed to them."""
    if sees_all_escalations(user):
        return Escalation.objects.all()
    return Escalation.objects.filter(Exists(_told(user)))


def escalations_to_act_on(user: User) -> QuerySet[Escalation]:
    """What ``user`` must acknowledge: escalations she was told of that nobody acknowledged
    yet (one acknowledgement answers for everyone told). Another role's escalation is for
    her information only, even where she sees it."""
    if not user.is_authenticated:
        return Escalation.objects.none()
    return Escalation.objects.filter(Exists(_told(user)), acknowledged_at__isnull=True)


@dataclass(frozen=True)
class EscalationFilters:
    tab: str = InboxTab.TO_ACT_ON
    severity: str = ""
    center: int | None = None
    overdue: bool = False
    escalation: int | None = None  # one escalation's incident, as an e-mail links to it


def _inbox_reports(user: User, filters: EscalationFilters) -> QuerySet[IncidentReport]:
    """The incidents with an escalation ``user`` sees, filtered, annotated with whether one
    is hers to act on; not yet split by tab nor ordered."""
    visible = visible_escalations(user).filter(report=OuterRef("pk"))
    mine = escalations_to_act_on(user).filter(report=OuterRef("pk"))
    reports = IncidentReport.objects.filter(Exists(visible)).annotate(to_act_on=Exists(mine))
    if filters.severity:
        reports = reports.filter(severity=filters.severity)
    if filters.center:
        reports = reports.filter(center_id=filters.center)
    if filters.escalation is not None:
        reports = reports.filter(Exists(visible.filter(pk=filters.escalation)))
    if filters.overdue:
        late = visible.filter(acknowledged_at__isnull=True, ack_deadline__lt=timezone.now())
        reports = reports.filter(Exists(late))
    return reports


def inbox_tab_counts(user: User, filters: EscalationFilters) -> dict[str, int]:
    """How many cards each tab holds under ``filters``, in one query."""
    counts = _inbox_reports(user, filters).aggregate(
        act=Count("pk", filter=Q(to_act_on=True)), info=Count("pk", filter=Q(to_act_on=False))
    )
    return {InboxTab.TO_ACT_ON: counts["act"], InboxTab.FOR_INFORMATION: counts["info"]}


def escalation_inbox(user: User, filters: EscalationFilters) -> QuerySet[IncidentReport]:
    """The incidents of one tab, the nearest acknowledgement deadline first: overdue ones
    (their deadline has passed, so it sorts first), then the soonest, those without a
    deadline last and the longest waiting of them first. A card to act on is ordered by the
    deadlines of what the viewer must acknowledge; a card for information by its open ones.
    Each report carries ``inbox_escalations`` (see :func:`inbox_cards`)."""
    to_act_on = filters.tab != InboxTab.FOR_INFORMATION
    deciding = (
        escalations_to_act_on(user)
        if to_act_on
        else visible_escalations(user).filter(acknowledged_at__isnull=True)
    ).filter(report=OuterRef("pk"))
    first_deadline = deciding.order_by(F("ack_deadline").asc(nulls_last=True)).values(
        "ack_deadline"
    )[:1]
    waiting_since = (
        visible_escalations(user)
        .filter(report=OuterRef("pk"))
        .order_by("created_at" if to_act_on else "-created_at")
        .values("created_at")[:1]
    )
    since_order = F("waiting_since").asc() if to_act_on else F("waiting_since").desc()
    return (
        _inbox_reports(user, filters)
        .filter(to_act_on=to_act_on)
        .select_related("center", "candidate__case_file")
        .annotate(next_deadline=Subquery(first_deadline), waiting_since=Subquery(waiting_since))
        .order_by(F("next_deadline").asc(nulls_last=True), since_order, "pk")
    )


@dataclass
class RecipientState:
    """One person or address told of an escalation, and how it reached them."""

    person: User | None
    address: str = ""
    in_portal: bool = False
    email_status: str | None = None  # an EmailStatus value; None: no e-mail
    email_status_label: str = ""

    @property
    def undelivered(self) -> bool:
        return self.email_status in UNDELIVERED


@dataclass
class InboxEscalation:
    escalation: Escalation
    for_me: bool  # the viewer was told and nobody acknowledged it: she may acknowledge it
    overdue: bool
    recipients: list[RecipientState] = field(default_factory=list)


@dataclass
class InboxCard:
    report: IncidentReport
    reading: ReportReading  # how the viewer reads the report: what the card may link to
    next_deadline: datetime | None
    overdue: bool
    escalations: list[InboxEscalation]

    @property
    def undelivered(self) -> bool:
        return any(r.undelivered for e in self.escalations for r in e.recipients)

    @property
    def reads_in_full(self) -> bool:
        """Severity and the case file are for those who read the report in full."""
        return self.reading is ReportReading.FULL

    @property
    def opens_report(self) -> bool:
        return self.reading is not ReportReading.NONE

    @property
    def case_file(self):
        """The case file the card links to: who reads a report in full sees its candidate's
        case file (DESIGN.md §8); the staff-care contact, who reads a support request, never
        does."""
        return self.report.case_file if self.reading is ReportReading.FULL else None


def inbox_cards(user: User, reports) -> list[InboxCard]:
    """The cards of one page of :func:`escalation_inbox`: two more queries whatever its size
    (the escalations, their notifications)."""
    now = timezone.now()
    reports = list(reports)
    told = _told(user)
    escalations = (
        visible_escalations(user)
        .select_related("rule", "acknowledged_by")
        .annotate(told_me=Exists(told))
        .order_by("created_at", "pk")
    )
    notifications = (
        Notification.objects.select_related("recipient")
        .annotate(email_status=F("outbox_email__status"))
        .order_by("recipient__staff_code", "email", "channel")
    )
    prefetch_related_objects(
        reports,
        Prefetch("escalations", queryset=escalations, to_attr="inbox_escalations"),
        Prefetch("inbox_escalations__notifications", queryset=notifications),
    )
    labels = dict(EmailStatus.choices)
    cards = []
    for report in reports:
        lines = []
        for escalation in report.inbox_escalations:
            open_ = escalation.acknowledged_at is None
            late = open_ and escalation.ack_deadline is not None and escalation.ack_deadline < now
            lines.append(
                InboxEscalation(
                    escalation=escalation,
                    for_me=open_ and escalation.told_me,
                    overdue=late,
                    recipients=_recipients(escalation.notifications.all(), labels),
                )
            )
        cards.append(
            InboxCard(
                report=report,
                reading=report_reading(user, report),
                next_deadline=report.next_deadline,
                overdue=report.next_deadline is not None and report.next_deadline < now,
                escalations=lines,
            )
        )
    return cards


def _recipients(notifications, labels) -> list[RecipientState]:
    """One row per person (or outside address), with the channels that reached them."""
    states: dict[object, RecipientState] = {}
    for notification in notifications:
        key = notification.recipient_id or notification.email
        state = states.setdefault(
            key, RecipientState(person=notification.recipient, address=notification.email)
        )
        if notification.channel == NotificationChannel.PORTAL:
            state.in_portal = True
        else:
            # No outbox row yet: the e-mail is written once the report has its reference.
            state.email_status = notification.email_status or EmailStatus.PENDING
            state.email_status_label = labels[state.email_status]
    return list(states.values())


def get_escalation_to_acknowledge(user: User, escalation_id: int) -> Escalation:
    """An escalation ``user`` was told of (acknowledged or not: acknowledging twice is
    harmless); 404 for another's, so that nobody silences an escalation meant for someone
    else."""
    escalation = (
        visible_escalations(user)
        .filter(Exists(_told(user)), pk=escalation_id)
        .select_related("report")
        .first()
    )
    if escalation is None:
        raise Http404("No such escalation.")
    return escalation


def bell_count(user: User) -> int:
    """The cards the inbox shows ``user`` to act on, in one query: incidents with an
    escalation she was told of that nobody acknowledged yet."""
    if not user.is_authenticated:
        return 0
    return escalations_to_act_on(user).values("report_id").distinct().count()

"""Escalations as each person sees them: the inbox and the bell.

The inbox shows one card per incident (report), with every escalation of it the viewer may see
and each recipient's state. A card is "to act on" when the viewer was told of one of its
escalations and nobody has acknowledged that one yet; the other cards are for information.
The bell counts exactly the cards to act on: both come from :func:`escalations_to_act_on`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Exists,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.policy import ReportReading, capabilities_of, report_reading
from outbox.models import EmailStatus

from ..models import Escalation, IncidentReport, Notification, NotificationChannel
from .notices import unread_notices_of


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
    yet (one acknowledgement answers for everyone told, and settles every notification of
    it). Another role's escalation is for her information only, even where she sees it.

    Read from her unsettled notifications (the partial index notification_unsettled_report),
    which are as many as what waits for her, not as her whole history."""
    if not user.is_authenticated:
        return Escalation.objects.none()
    unsettled = Notification.objects.filter(recipient=user, read_at__isnull=True)
    return Escalation.objects.filter(
        pk__in=unsettled.values("escalation_id"), acknowledged_at__isnull=True
    )


def mark_for_me(user: User, escalations: list[Escalation]) -> list[Escalation]:
    """Each escalation's ``for_me``: whether it is hers to acknowledge (escalations_to_act_on),
    read for a page of them once it is read: one query by their keys, none for none. (In the
    page's own statement PostgreSQL planned the test for every escalation the statement might
    walk, not counting its LIMIT, and so hashed all of her unsettled notifications: 14 ms
    for a manager at a million reports, where probing 25 escalations costs 0.2.)"""
    ids = {escalation.pk for escalation in escalations}
    mine = (
        set(escalations_to_act_on(user).filter(pk__in=ids).values_list("pk", flat=True))
        if ids
        else set()
    )
    for escalation in escalations:
        escalation.for_me = escalation.pk in mine
    return escalations


@dataclass(frozen=True)
class EscalationFilters:
    tab: str = InboxTab.TO_ACT_ON
    severity: str = ""
    center: int | None = None
    overdue: bool = False
    escalation: int | None = None  # one escalation's incident, as an e-mail links to it


# The "For information" tab counts its settled cards up to this many ("500+" beyond):
# an exact count would read every incident that ever escalated, on every visit. Its pages
# reach as far; the filters narrow what lies beyond.
SETTLED_COUNT_LIMIT = 500
# The cards placed by open escalations (to act on, waiting for someone else, the bell) are
# counted among this many of their escalations, or of her notifications of them for the
# cards to act on ("N+" beyond): where nobody acknowledges,
# open escalations pile up with the years (5,408 at 200,000 generated reports) and an exact
# count read them all on every page that shows the bell.
OPEN_COUNT_LIMIT = 1_000
# The inbox's order: the nearest deadline first (overdue ones before the soonest), those
# without one last, then the longest waiting; escalation_open_deadline holds open escalations
# in this order, so that a page is read from its start instead of sorting all of them.
WALK_ORDER = (F("ack_deadline").asc(nulls_last=True), F("created_at").asc(), F("pk").asc())
# How many escalations a page walks per card: an incident has one per rule that told her
# (and per level it rose); with more, the page is read again without the bound.
WALK_PER_CARD = 8


def _filtered(reports: QuerySet[IncidentReport], user: User, filters: EscalationFilters):
    """``reports`` narrowed by the filter bar and an e-mail's link. The escalation's
    incident is found from the escalation (by its key), never by probing every incident."""
    if filters.severity:
        reports = reports.filter(severity=filters.severity)
    if filters.center:
        reports = reports.filter(center_id=filters.center)
    if filters.escalation is not None:
        linked = visible_escalations(user).filter(pk=filters.escalation)
        reports = reports.filter(pk__in=linked.values("report_id"))
    if filters.overdue:
        late = visible_escalations(user).filter(
            acknowledged_at__isnull=True, ack_deadline__lt=timezone.now()
        )
        reports = reports.filter(pk__in=late.values("report_id"))
    return reports


def _open_visible(user: User) -> QuerySet[Escalation]:
    # escalation_open_by_report: open escalations only, few whatever the years.
    return visible_escalations(user).filter(acknowledged_at__isnull=True)


def _filtered_escalations(escalations: QuerySet, user: User, filters):
    """``escalations`` (or notifications, which keep their escalation's incident) of the
    incidents the filter bar and an e-mail's link leave."""
    if filters.severity:
        escalations = escalations.filter(report__severity=filters.severity)
    if filters.center:
        escalations = escalations.filter(report__center_id=filters.center)
    if filters.escalation is not None:
        linked = visible_escalations(user).filter(pk=filters.escalation)
        escalations = escalations.filter(report_id__in=linked.values("report_id"))
    if filters.overdue:
        late = visible_escalations(user).filter(
            acknowledged_at__isnull=True, ack_deadline__lt=timezone.now()
        )
        escalations = escalations.filter(report_id__in=late.values("report_id"))
    return escalations


def _hers_to_act_on(user: User) -> Subquery:
    """Per open escalation: her unsettled notification of it, if any
    (notification_unsettled_report).

    A probe of each row, not a join: the planner takes her notifications for a small part of
    the open escalations (it cannot know that an unsettled notification is always of an open
    one) and, walking them in the inbox's order, would sort all of them for one page."""
    unsettled = Notification.objects.filter(
        escalation=OuterRef("pk"), recipient=user, read_at__isnull=True
    )
    # Unordered, and a column of the index: an index-only probe.
    return Subquery(unsettled.order_by().values("escalation_id")[:1])


def _deciding_to_act_on(user: User, filters: EscalationFilters) -> QuerySet[Escalation]:
    """The escalations that place the "To act on" cards: open ones she was told of."""
    mine = (
        Escalation.objects.filter(acknowledged_at__isnull=True)
        .annotate(hers=_hers_to_act_on(user))
        .filter(hers__isnull=False)
    )
    return _filtered_escalations(mine, user, filters)


def _to_act_on_counted(user: User, filters: EscalationFilters) -> QuerySet:
    """The incidents of the "To act on" cards, for counting: read from her unsettled
    notifications (notification_unsettled_report), up to OPEN_COUNT_LIMIT + 1 of them, with
    the incident each one keeps. Counting never needs the inbox's order, and her
    notifications are the fewer side for whoever is told of a small part of what is open
    (staff care, a supervisor), where walking every open escalation would not be."""
    # An unsettled notification is of an open escalation (acknowledging settles every one of
    # its notifications, services.escalation.escalation_acknowledge): asking the escalation
    # again made the planner take her notifications for a few and read every open escalation.
    unsettled = Notification.objects.filter(recipient=user, read_at__isnull=True)
    unsettled = _filtered_escalations(unsettled, user, filters)
    # Unfiltered, the count reads the index alone: its incident was found by probing each
    # notification's escalation, most of the bell's time for a manager told of thousands (as
    # a join, the planner hashed every escalation ever raised to stop after a thousand).
    return unsettled.order_by().values("report_id")[: OPEN_COUNT_LIMIT + 1]


def _deciding_waiting(user: User, filters: EscalationFilters) -> QuerySet[Escalation]:
    """The escalations that place the "For information" cards still waiting for someone
    else: open ones she sees, of incidents with none for her to act on."""
    if not sees_all_escalations(user):
        # She sees only what she was told of, and an open escalation she was told of is hers
        # to act on (her notification settles only when someone acknowledges it): none waits
        # for someone else. Asking would probe every open escalation for her notifications.
        return Escalation.objects.none()
    hers = (
        Escalation.objects.filter(report=OuterRef("report_id"), acknowledged_at__isnull=True)
        .annotate(hers=_hers_to_act_on(user))
        .filter(hers__isnull=False)
    )
    return _filtered_escalations(_open_visible(user).exclude(Exists(hers)), user, filters)


def _settled_reports(user: User, filters: EscalationFilters) -> QuerySet[IncidentReport]:
    """The "For information" cards whose every escalation she sees was acknowledged, the
    newest incident first: read backwards along the reports' key, each probed for an
    escalation (its report index) and an open one (escalation_open_by_report), so that a
    page stops after its rows instead of sorting ten years of incidents."""
    if filters.overdue:
        return IncidentReport.objects.none()  # an acknowledged escalation is never late
    visible = visible_escalations(user).filter(report=OuterRef("pk"))
    open_ = _open_visible(user).filter(report=OuterRef("pk"))
    reports = IncidentReport.objects.filter(Exists(visible)).exclude(Exists(open_))
    return _filtered(reports, user, filters).order_by("-pk")


@dataclass(frozen=True)
class InboxCounts:
    may_use_inbox: bool  # as may_use_inbox() answers, read in the same query
    bell: int  # as bell_of() answers: the cards to act on, unfiltered
    to_act_on: int
    waiting: int  # "For information" cards with an escalation open for someone else
    settled: int  # the others, counted up to SETTLED_COUNT_LIMIT
    settled_capped: bool  # there are more: the count shows "+"
    to_act_on_capped: bool = False  # counted among OPEN_COUNT_LIMIT escalations: "+"
    waiting_capped: bool = False  # the same; the settled cards then lie beyond the pages
    bell_capped: bool = False  # the bell's count stopped there too: "+"

    @property
    def for_information(self) -> int:
        return self.waiting if self.waiting_capped else self.waiting + self.settled

    @property
    def for_information_capped(self) -> bool:
        return self.waiting_capped or self.settled_capped

    def __getitem__(self, tab: str) -> int:
        return self.to_act_on if tab == InboxTab.TO_ACT_ON else self.for_information


def inbox_tab_counts(user: User, filters: EscalationFilters) -> InboxCounts:
    """How many cards each tab holds under ``filters``, in one query: the cards placed by
    open escalations (to act on, still waiting for someone else) among OPEN_COUNT_LIMIT of
    them, the settled ones up to SETTLED_COUNT_LIMIT; with the bell's count and whether she
    may use the inbox at all, which the page would otherwise ask in two more queries."""
    sees_all = sees_all_escalations(user)
    unfiltered = replace(filters, tab=InboxTab.TO_ACT_ON) == EscalationFilters()
    # The statement depends on her, what she may see, the filters and the limits, except
    # under "overdue", which compares with the time of the request.
    counting = (
        _inbox_counts_sql(user, filters)
        if filters.overdue
        else _inbox_counts_sql_of(
            user, capabilities_of(user).fingerprint, filters, OPEN_COUNT_LIMIT, SETTLED_COUNT_LIMIT
        )
    )
    told, bell, act, waiting, settled = _counted_by(*counting)
    return InboxCounts(
        may_use_inbox=sees_all or told[1] > 0,
        bell=act[0] if unfiltered else bell[0],
        bell_capped=(act if unfiltered else bell)[1] > OPEN_COUNT_LIMIT,
        to_act_on=act[0],
        to_act_on_capped=act[1] > OPEN_COUNT_LIMIT,
        waiting=waiting[0],
        waiting_capped=waiting[1] > OPEN_COUNT_LIMIT,
        settled=min(settled[1], SETTLED_COUNT_LIMIT),
        settled_capped=settled[1] > SETTLED_COUNT_LIMIT,
    )


def _inbox_counts_sql(user: User, filters: EscalationFilters) -> tuple[str, tuple]:
    """The SELECT of :func:`inbox_tab_counts`: each tab's count, the bell's and whether she
    was ever told, one scalar subquery each."""
    sees_all = sees_all_escalations(user)
    # Whether she was ever told: only asked of those who do not see every escalation.
    ever_told = (
        Notification.objects.none() if sees_all else Notification.objects.filter(recipient=user)
    )
    unfiltered = replace(filters, tab=InboxTab.TO_ACT_ON) == EscalationFilters()
    return _counting_sql(
        ever_told.values("pk")[:1],
        # The bell: the "To act on" tab's count without filters (counted once if none).
        Escalation.objects.none() if unfiltered else _to_act_on_counted(user, EscalationFilters()),
        _to_act_on_counted(user, filters),
        _cards_of(_deciding_waiting(user, filters)),
        _settled_reports(user, filters).order_by().values("pk")[: SETTLED_COUNT_LIMIT + 1],
    )


@functools.lru_cache(maxsize=4096)
def _inbox_counts_sql_of(
    user: User, _capabilities: tuple, filters: EscalationFilters, _open: int, _settled: int
) -> tuple[str, tuple]:
    """:func:`_inbox_counts_sql` built once per user, capabilities, filters and limits in a
    process (the cache's key): building it was a sixth of the inbox's CPU, on every visit. A
    user equals another with her key, so her capabilities are part of the key: a change of
    what she may see builds it again."""
    return _inbox_counts_sql(user, filters)


def _cards_of(deciding: QuerySet[Escalation]) -> QuerySet:
    # The incidents of up to OPEN_COUNT_LIMIT + 1 escalations: counted as distinct report_id.
    return deciding.order_by().values("report_id")[: OPEN_COUNT_LIMIT + 1]


def _counted_by(sql: str, params: tuple) -> list[tuple[int, int]]:
    """The counts of a :func:`_counting_sql` statement, in one round trip."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(counts) for counts in cursor.fetchone()]


def _counting_sql(*querysets: QuerySet) -> tuple[str, tuple]:
    """Each queryset counted by one statement: one scalar subquery each in a single SELECT
    (Django would send one query per count), giving (distinct report_id, rows) for those
    that select report_id, (rows, rows) for the others. The SQL is Django's own, its values
    passed as parameters."""
    parts, params = [], []
    for queryset in querysets:
        if queryset.query.is_empty():
            parts.append("ARRAY[0, 0]")
            continue
        # Unordered, as Django's count() would (a model's default order would sort every row);
        # a limit keeps the same number of rows.
        query = queryset.query.clone()
        query.clear_ordering(force=True)
        sql, sql_params = query.sql_with_params()
        selected = (*queryset.query.values_select, *queryset.query.annotation_select)
        distinct = "count(DISTINCT report_id)" if "report_id" in selected else "count(*)"
        parts.append(f"(SELECT ARRAY[{distinct}, count(*)] FROM ({sql}) AS counted)")  # noqa: S608
        params.extend(sql_params)
    return "SELECT " + ", ".join(parts), tuple(params)


class WalkedCards:
    """The cards placed by open escalations (``deciding``), in the inbox's order, for a
    paginator: a report's place is that of its first escalation along WALK_ORDER. A page
    walks escalation_open_deadline from its start to the page's last card (some escalations
    a card) and reads only its own reports, instead of ordering every incident with an open
    escalation by subqueries."""

    def __init__(self, deciding: QuerySet[Escalation], count: int):
        self.deciding, self._count = deciding, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, page: slice) -> list[IncidentReport]:
        start, stop = page.start or 0, page.stop
        cards = self._page(start, stop, walk=stop * WALK_PER_CARD)
        if len(cards) < min(stop, self._count) - start:
            cards = self._page(start, stop, walk=None)  # incidents of many escalations
        return cards

    def _page(self, start: int, stop: int, walk: int | None) -> list[IncidentReport]:
        walked = (
            self.deciding.annotate(step=Window(RowNumber(), order_by=WALK_ORDER))
            .order_by(*WALK_ORDER)
            .values("report_id", "step")
        )
        if walk is not None:
            walked = walked[:walk]
        try:
            sql, params = walked.query.sql_with_params()
        except EmptyResultSet:  # a filter that no escalation can pass
            return []
        # Django's own SQL, its values passed as parameters, wrapped to keep each report once
        # in its first escalation's place. The page's order is that place: its reports are
        # read by key and put in it here (ordering them again in SQL, by their first
        # escalation's deadline found by a subquery each, was a third of the page's query
        # and most of the time Django took to write it).
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT report_id FROM ({sql}) AS walked "  # noqa: S608
                "GROUP BY report_id ORDER BY min(step) OFFSET %s LIMIT %s",
                (*params, start, stop - start),
            )
            page_ids = [report_id for (report_id,) in cursor.fetchall()]
        reports = _card_reports(IncidentReport.objects.filter(pk__in=page_ids)).in_bulk()
        return [reports[pk] for pk in page_ids if pk in reports]


class InformationCards:
    """The "For information" tab as one list for Django's paginator: the cards that still
    wait for someone else, nearest deadline first, then the settled ones, newest first.
    A page reads the part(s) it falls in, each with LIMIT and OFFSET on its own order."""

    def __init__(self, waiting: QuerySet, settled: QuerySet, counts: InboxCounts):
        self.waiting, self.settled, self.counts = waiting, settled, counts

    def count(self) -> int:
        return self.counts.for_information

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[IncidentReport]:
        start, stop, split = page.start or 0, page.stop, self.counts.waiting
        cards: list[IncidentReport] = []
        if start < split:
            cards += self.waiting[start : min(stop, split)]
        if stop > split:
            cards += self.settled[max(0, start - split) : stop - split]
        return cards


# What a card shows of its report (InboxCard, the template) and what decides how the viewer
# reads it (accounts.policy.report_reading): never the narrative or the rest of its text,
# which a page of 25 cards fetched for every incident it sorted.
CARD_FIELDS = (
    "reference",
    "status",
    "reporter_id",
    "center_id",
    "support_requested",
    "severity",
    "candidate_id",
    "center__code",
    "candidate__case_file__id",
)


def _card_reports(reports: QuerySet[IncidentReport]) -> QuerySet[IncidentReport]:
    return reports.select_related("center", "candidate__case_file").only(*CARD_FIELDS)


def escalation_inbox(user: User, filters: EscalationFilters, counts: InboxCounts):
    """The cards of one tab, for a paginator, each report with what its card shows (see
    :func:`inbox_cards`).

    "To act on": the nearest deadline of what the viewer must acknowledge first, overdue
    ones (their deadline has passed) before the soonest, those without a deadline last and
    the longest waiting of them first. "For information": the incidents whose open
    escalations wait for someone else, by their nearest deadline, then those all
    acknowledged, the newest first."""
    if filters.tab != InboxTab.FOR_INFORMATION:
        return WalkedCards(_deciding_to_act_on(user, filters), counts.to_act_on)
    waiting = WalkedCards(_deciding_waiting(user, filters), counts.waiting)
    settled = _card_reports(_settled_reports(user, filters))
    return InformationCards(waiting, settled, counts)


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


INBOX_ESCALATION_FIELDS = (
    "report_id",
    "rule_id",
    "previous_id",
    "created_at",
    "ack_deadline",
    "acknowledged_at",
    "acknowledged_by_id",
    "ack_note",
    "rule__name_ja",
    "rule__name_en",
    "acknowledged_by__staff_code",
)
# A notification's columns that a card shows, read as tuples: a page's hundreds of
# notifications built as model instances, each with its recipient (some 800 instances), took
# 7 of the page's 42 ms of CPU (in-process, best of 40, at a million reports).
INBOX_NOTIFICATION_FIELDS = (
    "escalation_id",
    "recipient_id",
    "email",
    "channel",
    "outbox_email__status",
)
# Who was told, built once per person on the page (the same few managers and legal contacts
# are told of most escalations).
INBOX_RECIPIENT_FIELDS = ("first_name", "last_name", "username", "staff_code")


def inbox_cards(user: User, reports) -> list[InboxCard]:
    """The cards of one page of :func:`escalation_inbox`: two more queries whatever its size
    (the escalations, their notifications)."""
    now = timezone.now()
    reports = list(reports)
    told = _told(user)
    # Only the columns a card shows: a page's escalations and their notifications are some
    # hundreds of rows, and whole users (password hashes and all) were built for each.
    escalations = (
        visible_escalations(user)
        .select_related("rule", "acknowledged_by")
        .only(*INBOX_ESCALATION_FIELDS)
        .annotate(told_me=Exists(told))
        .order_by("created_at", "pk")
    )
    prefetch_related_objects(
        reports, Prefetch("escalations", queryset=escalations, to_attr="inbox_escalations")
    )
    told_of = _notifications_of([e.pk for report in reports for e in report.inbox_escalations])
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
                    recipients=_recipients(told_of.get(escalation.pk, ()), labels),
                )
            )
        next_deadline = _first_placing(lines)
        cards.append(
            InboxCard(
                report=report,
                reading=report_reading(user, report),
                next_deadline=next_deadline,
                overdue=next_deadline is not None and next_deadline < now,
                escalations=lines,
            )
        )
    return cards


def _first_placing(lines: list[InboxEscalation]) -> datetime | None:
    """The deadline of the escalation that places a card, the first of them in WALK_ORDER:
    of those she must acknowledge, if any (a card to act on); else of those open, which wait
    for someone else (a card for information); None when all were acknowledged."""
    placing = [line.escalation for line in lines if line.for_me] or [
        line.escalation for line in lines if line.escalation.acknowledged_at is None
    ]
    if not placing:
        return None
    first = min(
        placing,
        key=lambda e: (e.ack_deadline is None, e.ack_deadline or e.created_at, e.created_at, e.pk),
    )
    return first.ack_deadline


@dataclass(frozen=True)
class _Told:
    """One notification of an escalation, as a card shows it."""

    person: User | None
    email: str
    channel: str
    email_status: str | None


def _notifications_of(escalation_ids: list[int]) -> dict[int, list[_Told]]:
    """The notifications of these escalations, by escalation, in the order a card lists them
    (by staff code, then address, then channel): one query, its rows read as tuples and each
    recipient built once."""
    rows = (
        Notification.objects.filter(escalation_id__in=escalation_ids)
        .order_by("recipient__staff_code", "email", "channel")
        .values_list(
            *INBOX_NOTIFICATION_FIELDS, *(f"recipient__{name}" for name in INBOX_RECIPIENT_FIELDS)
        )
    )
    people: dict[int, User] = {}
    told_of: dict[int, list[_Told]] = {}
    for escalation_id, recipient_id, email, channel, status, *person in rows:
        if recipient_id is not None and recipient_id not in people:
            # Only for showing who was told (display_name, staff_code): never saved.
            people[recipient_id] = User(
                id=recipient_id, **dict(zip(INBOX_RECIPIENT_FIELDS, person, strict=True))
            )
        told_of.setdefault(escalation_id, []).append(
            _Told(people.get(recipient_id), email, channel, status)
        )
    return told_of


def _recipients(notifications, labels) -> list[RecipientState]:
    """One row per person (or outside address), with the channels that reached them."""
    states: dict[object, RecipientState] = {}
    for told in notifications:
        key = told.person.pk if told.person else told.email
        state = states.setdefault(key, RecipientState(person=told.person, address=told.email))
        if told.channel == NotificationChannel.PORTAL:
            state.in_portal = True
        else:
            # No outbox row yet: the e-mail is written once the report has its reference.
            state.email_status = told.email_status or EmailStatus.PENDING
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


@dataclass(frozen=True)
class BellCount:
    """The navbar bell: the cards the inbox shows her to act on, and whether they were
    counted among OPEN_COUNT_LIMIT escalations only (more may wait: it reads "1,000+")."""

    count: int
    capped: bool = False

    def __bool__(self) -> bool:
        return self.count > 0

    @property
    def shown(self) -> str:
        if self.capped:
            return _("%(count)s+") % {"count": intcomma(self.count)}
        return intcomma(self.count)


def bell_of(user: User) -> BellCount:
    """The bell of ``user``, in one query: incidents with an escalation she was told of that
    nobody acknowledged yet (see bell_counted)."""
    return BellCount(*bell_counted(user))


def bell_and_notices(user: User) -> tuple[BellCount, int]:
    """The bell of ``user`` and her unread notices (unread_notice_count), in one round trip:
    the navbar of everyone who files reports shows both, on every page."""
    (cards, escalations), (notices, _rows) = _counted_by(
        *_navbar_sql(user.pk, OPEN_COUNT_LIMIT, notices=True)
    )
    return BellCount(cards, escalations > OPEN_COUNT_LIMIT), notices


def bell_counted(user: User) -> tuple[int, bool]:
    """The bell's count, and whether it stopped at OPEN_COUNT_LIMIT escalations (more
    incidents may wait: it reads "N+")."""
    if not user.is_authenticated:
        return 0, False
    ((cards, escalations),) = _counted_by(*_navbar_sql(user.pk, OPEN_COUNT_LIMIT, notices=False))
    return cards, escalations > OPEN_COUNT_LIMIT


@functools.lru_cache(maxsize=4096)
def _navbar_sql(user_id: int, limit: int, *, notices: bool) -> tuple[str, tuple]:
    """The navbar's counting SELECT for one user: the same statement and parameters on every
    page she opens (nothing in it but her key and the limit, OPEN_COUNT_LIMIT), so Django
    builds it once per user and process instead of on every page, where building it took
    three quarters of the count's CPU."""
    user = User(pk=user_id)
    bell = _to_act_on_counted(user, EscalationFilters())
    return (
        _counting_sql(bell, unread_notices_of(user).values("pk"))
        if notices
        else _counting_sql(bell)
    )

"""The review queue: the submitted reports that supervisors, managers and legal work on."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import TestCenter, User
from harassment_portal.keyset import Keyset, KeysetPage, keyset_page
from policy.models import Category

from ..models import RECORD_STATUSES, IncidentReport, ReportCategory
from ..models.reports import OPEN_WORK, SEVERITY_ORDER
from ..search import ReportSearch, parse_search
from .access import may_review, records_to_review, reviewed_center_ids

# may_review and reviewed_center_ids come from .access, where who reviews which centers is
# decided once for the queue, the triage services and the case files alike.
__all__ = [
    "COUNT_CAP",
    "COUNT_WINDOW",
    "NARROWED_COUNT_CAP",
    "OPEN_WORK",
    "SEVERITY_ORDER",
    "ReviewFilters",
    "TabCounts",
    "Sort",
    "may_review",
    "queue_order",
    "review_categories",
    "review_centers",
    "review_queue",
    "narrow_reports",
    "queue_page",
    "queue_counts",
    "search_window_basis",
    "shown_count",
    "status_counts",
]

# The most a status's count above the queue counts: beyond it the tab says "10,000+".
# Counting every closed report of ten years on each load read them all (1.1 s for a
# manager at a million reports); nobody reads a number that large for more than its size.
COUNT_CAP = 10_000
# The same under a filter or a search: "1,000+". Its matches are found by probing each row
# (its categories, its text), not read from an index range as a status's are: 10,001 of
# "verbal abuse" took 0.5 s at 200,000 reports, and a common word as long.
NARROWED_COUNT_CAP = 1_000
# Under a filter tested on each report rather than read as a range of an index (a
# behaviour, words, with or without a candidate, borderline), the tabs shown are counted
# among the first COUNT_WINDOW reports of the tab in the queue's order (see queue_counts):
# counting a rare status up to NARROWED_COUNT_CAP read every report of it when fewer
# matched, 25,000 probes for supervisor.tokyo's open "verbal abuse" at a million reports.
COUNT_WINDOW = 2_000


def shown_count(count: int, cap: int | None = None) -> tuple[int, str]:
    """A capped count, and how it reads: exact up to ``cap`` (COUNT_CAP unless given),
    "10,000+" beyond (the counts stop there, see status_counts)."""
    cap = COUNT_CAP if cap is None else cap
    if count > cap:
        return cap, _("%(count)s+") % {"count": intcomma(cap)}
    return count, str(count)


# What a row of the queue shows: the narrative and the rest of the text are never loaded.
ROW_FIELDS = (
    "reference",
    "status",
    "severity",
    "severity_rank",
    "submitted_at",
    "support_requested",
    "advice_requested",
    "center__code",
    "center__name_ja",
    "center__name_en",
)


# How many rows of the queue's order a word search reads through before asking the GIN
# index (see _search_window): a word in one report in 80 or more fills a page among them.
SEARCH_WINDOW = 2_000
# A word that does not fill the page there is looked for among this many times as many rows
# next, before the GIN index: "殴" (one report in a hundred) then fills it among about 2,600
# rows, where the GIN index gave all of its 10,000 reports at a million to be sorted.
WIDER_WINDOW = 10


class Sort:
    SEVERITY = "severity"  # most severe first, then the longest waiting
    NEWEST = "newest"
    OLDEST = "oldest"


# Each order as the queue pages it (harassment_portal.keyset), read from the report_*_severity
# and report_*_time indexes (models/reports.py).
QUEUE_ORDERS = {
    Sort.SEVERITY: Keyset(("severity_rank", "submitted_at", "id")),
    Sort.OLDEST: Keyset(("submitted_at", "id")),
    Sort.NEWEST: Keyset(("submitted_at", "id"), descending=True),
}


@dataclass(frozen=True)
class ReviewFilters:
    """What the queue is narrowed to; an empty tuple or None means "any"."""

    statuses: tuple[str, ...] = OPEN_WORK
    severities: tuple[str, ...] = ()
    category_codes: tuple[str, ...] = ()
    center_ids: tuple[int, ...] = ()
    # Days of submission, inclusive, in the portal's time zone (Asia/Tokyo).
    submitted_from: date | None = None
    submitted_to: date | None = None
    with_candidate: bool | None = None
    support_requested: bool | None = None
    advice_requested: bool | None = None
    text: str = ""
    sort: str = Sort.SEVERITY

    @property
    def count_cap(self) -> int:
        """Where the tabs' counts stop: lower when a filter or a search narrows the records
        (NARROWED_COUNT_CAP); the centers and the order do not count as narrowing."""
        narrowing = (
            self.severities,
            self.category_codes,
            self.submitted_from,
            self.submitted_to,
            self.with_candidate is not None,
            self.support_requested is not None,
            self.advice_requested is not None,
            self.text.strip(),
        )
        return NARROWED_COUNT_CAP if any(narrowing) else COUNT_CAP

    @property
    def probes_each_report(self) -> bool:
        """Whether a filter is tested on each report (its categories, its words, whether it
        names a candidate, its advice flag): no index holds it with the status, so that a
        count of its matches reads every report of the status when fewer match than the
        cap. (A candidate ID is not: her reports are few, found through the candidate's key
        and the GIN index.)"""
        words = self.search.words and not self.search.candidate_pks
        probed = (self.category_codes, words, self.with_candidate is not None)
        return any((*probed, self.advice_requested is not None))

    def without_probes(self) -> ReviewFilters:
        """These filters but those ``probes_each_report`` names."""
        return replace(self, category_codes=(), text="", with_candidate=None, advice_requested=None)

    @cached_property
    def search(self) -> ReportSearch:
        """The search text, read once (it may look a candidate up) for the queue and its
        counts alike."""
        return parse_search(self.text)


def review_centers(user: User) -> QuerySet[TestCenter]:
    """The centers whose reports are in ``user``'s queue."""
    centers = reviewed_center_ids(user)
    everywhere = TestCenter.objects.order_by("code")
    return everywhere if centers is None else everywhere.filter(pk__in=centers)


def queue_order(filters: ReviewFilters) -> Keyset:
    return QUEUE_ORDERS.get(filters.sort, QUEUE_ORDERS[Sort.SEVERITY])


def review_queue(
    user: User, *, filters: ReviewFilters, through_index: bool = True
) -> QuerySet[IncidentReport]:
    """The records ``user`` reviews, filtered, most severe and longest waiting first (or as
    ``filters.sort`` asks), with what a row of the queue shows loaded in two queries. (For
    ``through_index``, see narrow_reports.)"""
    reports = narrow_reports(records_to_review(user), filters, through_index=through_index)
    reports = reports.filter(status__in=filters.statuses)
    reports = reports.select_related("center").prefetch_related(
        Prefetch("categories", queryset=review_categories())
    )
    return reports.order_by(*queue_order(filters).order_by())


def queue_page(
    user: User, *, filters: ReviewFilters, per_page: int, after: str | None, before: str | None
) -> KeysetPage:
    """A page of the queue after (or before) a cursor, with only what its rows show (no
    narrative): two queries, the rows with their center and their categories, however deep
    the page; a word search makes one to six more (see _search_window)."""
    order = queue_order(filters)
    # A candidate ID is looked up through the candidate's key (and the GIN index): her reports
    # are few, and the windows would read thousands of rows for nothing.
    if filters.search.words and not filters.search.candidate_pks and before is None:
        # The words tested on the text of the window's rows alone: with the tokens as well,
        # PostgreSQL took them for rare and read every report the GIN index gave (all
        # 175,779 holding "refund" at a million), to keep those of the window.
        within = review_queue(user, filters=filters, through_index=False).only(*ROW_FIELDS)
        for size in (SEARCH_WINDOW, SEARCH_WINDOW * WIDER_WINDOW):
            window = _search_window(user, filters, order, after, size)
            if window is None:  # fewer rows follow: the GIN index has few to give
                break
            page = keyset_page(within.filter(window), order, per_page=per_page, after=after)
            if page.has_next:  # a full page, and a row after it, all inside the window
                return page
    reports = review_queue(user, filters=filters).only(*ROW_FIELDS)
    return keyset_page(reports, order, per_page=per_page, after=after, before=before)


def _search_window(user: User, filters: ReviewFilters, order: Keyset, after: str | None, size: int):
    """The next ``size`` rows of the queue in its order, whatever the words (as a
    condition: up to the last of them), or None when fewer rows than that follow.

    Why: PostgreSQL cannot tell how many reports hold a word (it takes the pieces of the word
    for independent), so it reads every report the GIN index gives and sorts them, even
    when a common word ("refund" is in one report in six) is in tens of thousands: 0.6 s at
    200,000 reports, growing with them. Among the next rows of the order's own index a
    common word fills the page at once, whatever the reports' number (80 ms there); a rarer
    one is then looked up through the GIN index, which is quick for few reports."""
    unsearched = replace(filters, text="")
    rows = narrow_reports(records_to_review(user), unsearched).filter(status__in=filters.statuses)
    start = order.values(IncidentReport, after)
    if start is not None:
        rows = rows.filter(order.beyond(start, forward=True))
    ordered = rows.order_by(*order.order_by())
    if size > SEARCH_WINDOW or len(filters.statuses) > 1:
        last = list(ordered.values_list(*order.fields)[size - 1 : size])
        return order.up_to(last[0]) if last else None
    # In a tab of one status the first window's rows are named as well: from the range alone
    # PostgreSQL took a common word for rare and read every report of the status from the
    # index of both (12,722 of Tokyo's submitted ones at a million) to sort those holding it.
    # Not in the others: named, their 2,000 rows were all read (30 ms) where the range of the
    # order's index stops at the page's last row (0.4 ms).
    rows = list(ordered.values_list("pk", *order.fields)[:size])
    if len(rows) < size:
        return None
    return order.up_to(rows[-1][1:]) & Q(pk__in=[row[0] for row in rows])


def status_counts(user: User, filters: ReviewFilters) -> dict[str, int]:
    """How many of ``user``'s records each status has under ``filters`` (but whatever their
    status), each counted up to ``filters.count_cap`` + 1 (more than that: "10,000+" or
    "1,000+"), in one query.

    Each count reads at most that many index entries and stops: an aggregate over the
    filtered records would read every one of them on every load of the queue."""
    reports = narrow_reports(records_to_review(user), filters).order_by()
    counts, params = [], []
    for status in RECORD_STATUSES:
        capped = reports.filter(status=status).values("pk")[: filters.count_cap + 1]
        # Django's own SQL for the queryset, its values passed apart: no text is pasted in.
        sql, status_params = capped.query.sql_with_params()
        counts.append(f"(SELECT count(*) FROM ({sql}) AS capped)")  # noqa: S608
        params.extend(status_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(counts)}", params)
        row = cursor.fetchone()
    return {str(status): count for status, count in zip(RECORD_STATUSES, row, strict=True)}


@dataclass(frozen=True)
class TabCounts:
    """The counts of the queue's tabs: per status, how many of ``user``'s records have it
    (None: not counted), up to ``cap``; each at least that many if ``at_least``."""

    by_status: dict[str, int | None]
    cap: int
    at_least: bool = False

    def of(self, statuses: tuple[str, ...]) -> tuple[int | None, str]:
        """The count of a tab of ``statuses``, and how it reads ("" when not counted)."""
        counted = [self.by_status[status] for status in statuses]
        if None in counted:
            return None, ""
        count, shown = shown_count(sum(counted), self.cap)
        if self.at_least and count < self.cap:
            shown = _("%(count)s+") % {"count": intcomma(count)}
        return count, shown


def queue_counts(user: User, filters: ReviewFilters) -> TabCounts:
    """The counts of the queue's tabs under ``filters``, in one query.

    Under filters an index serves (the centers, severities, days, support requests) every
    status is counted, up to ``filters.count_cap`` (status_counts). Under a filter tested on
    each report only the statuses of the tab shown are counted, among its first COUNT_WINDOW
    reports in the queue's order, the rows the page itself reads first: exact when the tab
    holds no more, a lower bound ("800+") when it does. Counted up to the cap instead, a
    status with fewer matches read every report of it, and no index holds a report's
    categories or words with its status."""
    if not filters.probes_each_report:
        return TabCounts(status_counts(user, filters), filters.count_cap)
    window = (
        narrow_reports(records_to_review(user), filters.without_probes())
        .filter(status__in=filters.statuses)
        .alias(named=_named_behaviour(filters.category_codes))
        .annotate(matched=ExpressionWrapper(_probed(filters), output_field=BooleanField()))
        .order_by(*queue_order(filters).order_by())
        .values("status", "matched")[: COUNT_WINDOW + 1]
    )
    window_sql, params = window.query.sql_with_params()
    with connection.cursor() as cursor:
        # Django's own SQL for the queryset, its values passed apart: no text is pasted in.
        cursor.execute(
            "SELECT status, count(*), count(*) FILTER (WHERE matched)"  # noqa: S608
            f" FROM ({window_sql}) AS queue_window GROUP BY status",
            params,
        )
        rows = cursor.fetchall()
    seen = sum(count for _, count, _ in rows)
    by_status: dict[str, int | None] = {str(status): None for status in RECORD_STATUSES}
    by_status |= {str(status): 0 for status in filters.statuses}
    by_status |= {status: matched for status, _, matched in rows}
    return TabCounts(by_status, filters.count_cap, at_least=seen > COUNT_WINDOW)


def _named_behaviour(codes: tuple[str, ...]) -> Subquery | Value:
    """Whether a report names one of the behaviours ``codes`` (any when there are none), as a
    value for each report: the id of one of them it names, or NULL.

    A scalar subquery, so that PostgreSQL probes each report of the window for its
    categories (an index-only range of report_category_unique): an EXISTS it may turn into a
    hash of every report naming the behaviour, two in five of them for "verbal abuse"."""
    if not codes:
        return Value(True)
    named = ReportCategory.objects.filter(report=OuterRef("pk"), category__code__in=codes)
    return Subquery(named.values("category_id")[:1])


def _probed(filters: ReviewFilters) -> Q:
    """The filters ``probes_each_report`` names, for a report of a window (annotated with
    ``named``: _named_behaviour). The words are tested on the text alone: through the GIN
    index PostgreSQL would fetch every report holding a common word to keep those of the
    window."""
    condition = Q(named__isnull=False) & filters.search.condition(through_index=False)
    if filters.with_candidate is not None:
        condition &= Q(candidate__isnull=not filters.with_candidate)
    if filters.advice_requested is not None:
        condition &= Q(advice_requested=filters.advice_requested)
    return condition


def review_categories() -> QuerySet[Category]:
    """Every behaviour a report may cite, retired ones too: old reports still name them."""
    return Category.objects.order_by("order", "code")


def narrow_reports(
    reports: QuerySet[IncidentReport], filters: ReviewFilters, *, through_index: bool = True
) -> QuerySet:
    """``reports`` narrowed by every filter but the status: the queue's, and the API's
    report list's (one meaning of "severity", "category" and a search, whichever list
    asks). ``through_index=False`` tests a search's words on the text alone, for reports
    already bounded (a window), see ReportSearch.filter."""
    if filters.severities:
        # By the stored rank, which the queue's report_*_severity indexes hold right after
        # the center: "high only" is then one range of the index the queue's order reads,
        # where a test of ``severity`` had to visit every more severe report first.
        ranks = {_rank(severity) for severity in filters.severities}
        reports = reports.filter(severity_rank__in=sorted(ranks))
    if filters.category_codes:
        # EXISTS rather than a join, so that a report naming two of the categories
        # appears once.
        reports = reports.filter(
            Exists(
                ReportCategory.objects.filter(
                    report=OuterRef("pk"), category__code__in=filters.category_codes
                )
            )
        )
    if filters.center_ids:
        reports = reports.filter(center_id__in=filters.center_ids)
    if filters.submitted_from:
        reports = reports.filter(submitted_at__gte=_start_of(filters.submitted_from))
    if filters.submitted_to:
        reports = reports.filter(submitted_at__lt=_start_of(filters.submitted_to + timedelta(1)))
    if filters.with_candidate is not None:
        reports = reports.filter(candidate__isnull=not filters.with_candidate)
    if filters.support_requested is not None:
        reports = reports.filter(support_requested=filters.support_requested)
    if filters.advice_requested is not None:
        reports = reports.filter(advice_requested=filters.advice_requested)
    if filters.text:
        reports = filters.search.filter(reports, through_index=through_index)
    return reports


def _rank(severity: str) -> int:
    # As IncidentReport.severity_rank computes it: an unknown severity ranks last.
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def _start_of(day: date) -> datetime:
    # The portal's time zone (settings.TIME_ZONE, Asia/Tokyo), whatever a request activated:
    # "reports of 3 March" means the Japanese day the centers work in.
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def search_window_basis(user: User) -> QuerySet[IncidentReport] | None:
    """What the API list's search windows of ``user`` are measured among, when it is not her
    own list: for someone who reviews, every report. It only places the windows' bounds
    (which positions of report_recent they span); the rows shown still come from her scoped
    list. Those she reads are most of the reports, and measuring among the OR of her own and
    her centers' records needs each report's row (20,000 of them for the wider window: 36 ms
    at a million), where every report's order is an index-only range. None for the others."""
    if may_review(user):
        return IncidentReport.objects.all()
    return None

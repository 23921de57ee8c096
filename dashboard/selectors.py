"""The dashboard's figures: aggregate queries over the submitted reports of a period and a
set of centers, in a number of queries that does not grow with the data (each figure is one
GROUP BY, never a query per report, month or center).

Every query is bounded by ``center_id IN (…) AND status IN (records) AND submitted_at in the
period``, which the index ``report_center_status`` (center, status, -submitted_at) answers
with one range scan per center and status: the centers are always named, even for a manager
who sees them all, so that PostgreSQL never reads reports outside the period
(tests/dashboard/test_queries.py shows the plan at 20,000 reports).

No figure is ever grouped by a person: reporting never counts against anyone (DESIGN.md §8),
so nothing here reads the reporter or who triaged, decided or followed up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Extract, TruncMonth
from django.utils import timezone

from accounts.models import TestCenter, User
from accounts.policy import ALL, capabilities_of
from incidents.models import (
    RECORD_STATUSES,
    Decision,
    Escalation,
    EventKind,
    IncidentReport,
    ReportCategory,
    SupportFollowUp,
    TimelineEvent,
)
from policy.models import Category, Severity


@dataclass(frozen=True)
class Period:
    """Whole months, from the first day of ``first`` to the end of ``last`` (Tokyo time)."""

    first: date  # the first day of the first month
    last: date  # the first day of the last month

    @property
    def months(self) -> list[date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = next_month(month)
        return months

    @property
    def starts_at(self) -> datetime:
        return _start_of(self.first)

    @property
    def ends_before(self) -> datetime:
        return _start_of(next_month(self.last))


@dataclass(frozen=True)
class DashboardFilters:
    period: Period
    center_ids: tuple[int, ...]  # never empty: the centers are always named (see above)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def dashboard_centers(user: User) -> QuerySet[TestCenter]:
    """The centers whose figures ``user`` may see (none for who has no dashboard)."""
    scope = capabilities_of(user).dashboard_center_ids
    centers = TestCenter.objects.all() if scope is ALL else TestCenter.objects.filter(pk__in=scope)
    return centers.order_by("code")


def _bounds(filters: DashboardFilters, prefix: str = "") -> dict:
    """The records of the period and centers, as lookups on the report (through ``prefix``
    from a row that refers to it): one join to the reports, bounded by the index."""
    return {
        f"{prefix}center_id__in": filters.center_ids,
        f"{prefix}status__in": RECORD_STATUSES,
        f"{prefix}submitted_at__gte": filters.period.starts_at,
        f"{prefix}submitted_at__lt": filters.period.ends_before,
    }


def reports_in(filters: DashboardFilters) -> QuerySet[IncidentReport]:
    """The records of the period and centers (index report_center_status)."""
    return IncidentReport.objects.filter(**_bounds(filters))


class Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``, which
    ignores NULL (a report not triaged yet has no time to triage)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


def _hours_since_submission(moment: Subquery) -> Extract:
    """Hours from the report's submission to ``moment``, as an epoch difference."""
    waited = ExpressionWrapper(moment - F("submitted_at"), output_field=DurationField())
    return ExpressionWrapper(Extract(waited, "epoch") / 3600.0, output_field=FloatField())


def _first_review() -> Subquery:
    # The report's first "review started" event: the timeline's report_id index (its
    # foreign key) finds a report's few events.
    events = TimelineEvent.objects.filter(
        report=OuterRef("pk"), kind=EventKind.REPORT_UNDER_REVIEW
    ).order_by("created_at")
    return Subquery(events.values("created_at")[:1])


def _first_decision() -> Subquery:
    # The first decision on the candidate's case file after the report came in, whatever it
    # decided (a legitimate complaint is a decision too); decision_case_file_state indexes it.
    decisions = Decision.objects.filter(
        case_file__candidate_id=OuterRef("candidate_id"),
        proposed_at__gte=OuterRef("submitted_at"),
    ).order_by("proposed_at")
    return Subquery(decisions.values("proposed_at")[:1])


def _followed_up() -> Exists:
    return Exists(SupportFollowUp.objects.filter(report=OuterRef("pk")))


def _center_figures() -> dict[str, Aggregate]:
    triage = _hours_since_submission(_first_review())
    decision = _hours_since_submission(_first_decision())
    figures: dict[str, Aggregate] = {"reports": Count("pk")}
    for severity in Severity:
        figures[f"severity_{severity.value}"] = Count("pk", filter=Q(severity=severity))
    figures |= {
        "asked_support": Count("pk", filter=Q(support_requested=True)),
        "support_followed_up": Count("pk", filter=Q(support_requested=True, followed_up=True)),
        "asked_advice": Count("pk", filter=Q(advice_requested=True)),
        "triaged": Count("triage_hours"),
        "triage_median": Percentile("triage_hours", 0.5),
        "triage_p90": Percentile("triage_hours", 0.9),
        "decided": Count("decision_hours"),
        "decision_median": Percentile("decision_hours", 0.5),
        "decision_p90": Percentile("decision_hours", 0.9),
    }
    return {"triage": triage, "decision": decision, **figures}


def center_figures(filters: DashboardFilters) -> tuple[dict[int, dict], dict]:
    """Per center and for all of them together: reports, the severity mix, support requests
    and their follow-up, requests for advice, and hours from submission to triage and to a
    decision (median and 90th percentile). Two queries (percentiles do not add up, so the
    whole is one more aggregate, not a sum of the centers)."""
    expressions = _center_figures()
    reports = reports_in(filters).annotate(
        triage_hours=expressions.pop("triage"),
        decision_hours=expressions.pop("decision"),
        followed_up=_followed_up(),
    )
    by_center = {
        row["center_id"]: row
        for row in reports.values("center_id").annotate(**expressions).order_by("center_id")
    }
    return by_center, reports.aggregate(**expressions)


def monthly_categories(filters: DashboardFilters) -> tuple[dict[tuple[date, int], int], dict]:
    """Reports per month (Tokyo time) and behaviour, and reports per month: a report that
    names two behaviours counts once under each, and once in its month. Two queries."""
    records = ReportCategory.objects.filter(**_bounds(filters, "report__"))
    by_category = (
        records.annotate(month=TruncMonth("report__submitted_at"))
        .values("month", "category_id")
        .annotate(reports=Count("report_id"))
        .order_by()
    )
    per_month = (
        reports_in(filters)
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(reports=Count("pk"))
        .order_by()
    )
    cells = {
        (timezone.localtime(row["month"]).date(), row["category_id"]): row["reports"]
        for row in by_category
    }
    totals = {timezone.localtime(row["month"]).date(): row["reports"] for row in per_month}
    return cells, totals


def reported_categories(cells: dict[tuple[date, int], int]) -> list[Category]:
    """The behaviours named in the period, in the policy's order (one query)."""
    ids = {category_id for _month, category_id in cells}
    return list(Category.objects.filter(pk__in=ids).order_by("order", "code"))


def escalation_figures(filters: DashboardFilters) -> dict[int, dict]:
    """Per center: escalations raised for the period's reports, those still waiting for an
    acknowledgement, and those acknowledged late or not at all past their deadline. One
    query (the counts add up, so the whole is their sum)."""
    now = timezone.now()
    missed = Q(ack_deadline__isnull=False) & (
        Q(acknowledged_at__gt=F("ack_deadline"))
        | Q(acknowledged_at__isnull=True, ack_deadline__lt=now)
    )
    rows = (
        Escalation.objects.filter(**_bounds(filters, "report__"))
        .values("report__center_id")
        .annotate(
            raised=Count("pk"),
            # An escalation raised to the next level waits as that one: counted once.
            open=Count("pk", filter=Q(acknowledged_at__isnull=True, next__isnull=True)),
            missed=Count("pk", filter=missed),
        )
        .order_by()
    )
    return {row.pop("report__center_id"): row for row in rows}


def repeat_candidates(filters: DashboardFilters) -> dict[str, int]:
    """How many candidates had two or more, and three or more, reports in the period and
    centers: counts only, never who. One query (the per-candidate counts in a subquery)."""
    per_candidate = (
        reports_in(filters)
        .filter(candidate__isnull=False)
        .values("candidate_id")
        .annotate(reports=Count("pk"))
        .order_by()
    )
    # Counted over the per-candidate counts in SQL: the ORM cannot filter an aggregate by
    # another (COUNT … FILTER (WHERE COUNT(…) >= 2) is refused), and two HAVING queries
    # would read the reports twice.
    inner, params = per_candidate.query.sql_with_params()
    with connection.cursor() as cursor:
        # The inner SQL is the ORM's own; every value in it is a parameter.
        select = "SELECT count(*) FILTER (WHERE reports >= 2), count(*) FILTER (WHERE reports >= 3)"
        counts = f"{select} FROM ({inner}) AS per_candidate"
        cursor.execute(counts, params)
        two_or_more, three_or_more = cursor.fetchone()
    return {"two_or_more": two_or_more, "three_or_more": three_or_more}

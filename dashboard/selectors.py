"""The dashboard's figures: aggregate queries over the submitted reports of a period and a
set of centers, in a number of queries that does not grow with the data (each figure is one
GROUP BY, never a query per report, month or center).

Every query is bounded by ``center_id IN (…) AND status IN (records) AND submitted_at in the
period``, which the covering index ``report_dashboard`` (center, submitted_at, over the
records, with every column the figures read) answers with one index-only range scan per
center: the centers are always named, even for a manager who sees them all, so that
PostgreSQL never reads reports outside the period, and nothing is looked up for each report
but its behaviours and whether its support request was followed up: the moments it is timed
by are stored on it (IncidentReport.triaged_at, decided_at). The work still grows with the
reports of the period (a percentile needs every value), never with those outside it
(tests/dashboard/test_query_plans.py shows the plans at 20,000 reports).

No figure is ever grouped by a person: reporting never counts against anyone (DESIGN.md §8),
so nothing here reads the reporter or who triaged, decided or followed up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from accounts.models import TestCenter, User
from accounts.policy import ALL, capabilities_of
from incidents.models import (
    RECORD_STATUSES,
    Escalation,
    IncidentReport,
    ReportCategory,
    SupportFollowUp,
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
    """The records of the period and centers (index report_dashboard)."""
    return IncidentReport.objects.filter(**_bounds(filters))


def _month_of(field: str, period: Period) -> Func:
    """The month (1 for the period's first) in which ``field`` falls, found among the
    period's month boundaries (Tokyo midnight on each first day) by ``width_bucket``: the
    same month as truncating the time in Tokyo, without converting each report's time to
    Tokyo's first (which cost more than reading the report from the index)."""
    boundaries = [_start_of(month) for month in period.months]
    return Func(
        F(field),
        Value(boundaries, output_field=ArrayField(DateTimeField())),
        function="width_bucket",
        output_field=IntegerField(),
    )


def _hours_since_submission(moment: str) -> Func:
    """Hours from the report's submission to ``moment`` (a field of the report), from the
    epoch difference in floating point (EXTRACT gives a numeric, slower to compute and to
    sort, and percentile_cont reads it as a float anyway); NULL while the moment has not
    come."""
    waited = ExpressionWrapper(F(moment) - F("submitted_at"), output_field=DurationField())
    seconds = Func(Value("epoch"), waited, function="date_part", output_field=FloatField())
    return ExpressionWrapper(seconds / Value(3600.0), output_field=FloatField())


# Each figure of the reports, over the rows of _report_rows (per center and for all of them).
_FIGURES = (
    ("reports", "count(*)"),
    *(
        (f"severity_{severity.value}", f"count(*) FILTER (WHERE severity = '{severity.value}')")
        for severity in Severity
    ),
    ("asked_support", "count(*) FILTER (WHERE support_requested)"),
    ("support_followed_up", "count(*) FILTER (WHERE followed_up)"),
    ("asked_advice", "count(*) FILTER (WHERE advice_requested)"),
    ("triaged", "count(triage_hours)"),
    ("triage", "percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY triage_hours)"),
    ("decided", "count(decision_hours)"),
    ("decision", "percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY decision_hours)"),
)


def _report_rows(filters: DashboardFilters) -> QuerySet:
    """What the figures read of each record of the period: all of it in the covering index
    report_dashboard, but whether a support request was followed up."""
    return reports_in(filters).values(
        "center_id",
        "severity",
        "support_requested",
        "advice_requested",
        # Looked up only for the reports that asked for support (AND stops at false).
        followed_up=ExpressionWrapper(
            Q(support_requested=True)
            & Exists(SupportFollowUp.objects.filter(report=OuterRef("pk"))),
            output_field=BooleanField(),
        ),
        # The report's first review and the first decision on its candidate's case file at
        # or after its submission, whatever it decided (a legitimate complaint is a decision
        # too), as the services that make them store them (IncidentReport.triaged_at).
        triage_hours=_hours_since_submission("triaged_at"),
        decision_hours=_hours_since_submission("decided_at"),
    )


def center_figures(filters: DashboardFilters) -> tuple[dict[int, dict], dict]:
    """Per center and for all of them together: reports, the severity mix, support requests
    and their follow-up, requests for advice, and hours from submission to triage and to a
    decision (median and 90th percentile, which ignore the reports not triaged or decided
    yet). One query, one pass over the period's reports: the centers and the whole are two
    grouping sets of it (percentiles do not add up, so the whole is not a sum of the
    centers)."""
    inner, params = _report_rows(filters).query.sql_with_params()
    columns = ", ".join(f"{sql} AS {name}" for name, sql in _FIGURES)
    # The inner SQL is the ORM's own, every value in it a parameter; the outer one names
    # only the columns above.
    sql = (
        f"SELECT GROUPING(center_id) AS whole, center_id, {columns} "  # noqa: S608
        f"FROM ({inner}) AS report GROUP BY GROUPING SETS ((center_id), ())"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    by_center, whole = {}, {}
    for row in rows:
        for moment in ("triage", "decision"):
            # NULL where no report was timed: then neither has a figure.
            row[f"{moment}_median"], row[f"{moment}_p90"] = row.pop(moment) or (None, None)
        if row.pop("whole"):
            whole = row  # the empty grouping set gives its row even for no report at all
        else:
            by_center[row["center_id"]] = row
    return by_center, whole


def monthly_categories(filters: DashboardFilters) -> tuple[dict[tuple[date, int], int], dict]:
    """Reports per month (Tokyo time) and behaviour, and reports per month: a report that
    names two behaviours counts once under each, and once in its month. Two queries, each
    one pass over the period's reports (index report_dashboard), the first with their
    behaviours (index report_category_unique)."""
    months = filters.period.months
    records = ReportCategory.objects.filter(**_bounds(filters, "report__"))
    by_category = (
        records.annotate(month=_month_of("report__submitted_at", filters.period))
        .values("month", "category_id")
        .annotate(reports=Count("report_id"))
        .order_by()
    )
    per_month = (
        reports_in(filters)
        .annotate(month=_month_of("submitted_at", filters.period))
        .values("month")
        .annotate(reports=Count("pk"))
        .order_by()
    )
    cells = {(months[row["month"] - 1], row["category_id"]): row["reports"] for row in by_category}
    totals = {months[row["month"] - 1]: row["reports"] for row in per_month}
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
    # An escalation is raised at its report's submission or after it, never before: bounded
    # by the period's start, the escalations are read from that time on (index
    # escalation_recent), not every escalation ever raised before they are joined to the
    # period's reports.
    raised = Q(created_at__gte=filters.period.starts_at)
    rows = (
        Escalation.objects.filter(raised, **_bounds(filters, "report__"))
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

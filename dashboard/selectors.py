"""The dashboard's figures: aggregate queries over the records of a period and a set of
centers, in a number of queries that does not grow with the data (each figure is one
GROUP BY, never a query per report, month or center).

The figures of the reports (counts, severity, behaviours per month, support and advice,
hours to triage and to a decision) and of their escalations are summed from the rollup of
each center and month (dashboard/models.py), which PostgreSQL keeps in the transaction of
every write: a few rows per center and month, however many reports there are (twelve
months at a million reports read 170,000 reports and their escalations before). Only
repeat candidates are still counted from the period's records, bounded by ``center_id IN
(…) AND status IN (records) AND submitted_at in the period``, which the covering index
``report_dashboard`` answers with one index-only range scan per center: the centers are
always named, even for a manager who sees them all, so that PostgreSQL never reads reports
outside the period.

No figure is ever grouped by a person: reporting never counts against anyone (DESIGN.md §8),
so nothing here reads the reporter or who triaged, decided or followed up."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import TestCenter, User
from accounts.policy import ALL, capabilities_of
from harassment_portal.routers import reporting_connection
from incidents.models import RECORD_STATUSES, IncidentReport
from policy.models import Category, Severity

from .models import CategoryTally, MonthTally, Wait


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


# The figures of each center summed from its months' tallies (dashboard.models.MonthTally).
_COUNTS = (
    "reports",
    *(f"severity_{severity.value}" for severity in Severity),
    "asked_support",
    "support_followed_up",
    "asked_advice",
    "triaged",
    "decided",
)
_TALLY_COLUMNS = {f"severity_{severity.value}": severity.value for severity in Severity}


def _months_of(filters: DashboardFilters, prefix: str = "") -> dict:
    """The tallies of the period's months at the chosen centers (index *_tally_unique)."""
    return {
        f"{prefix}center_id__in": filters.center_ids,
        f"{prefix}month__gte": filters.period.first,
        f"{prefix}month__lte": filters.period.last,
    }


def center_figures(filters: DashboardFilters) -> tuple[dict[int, dict], dict]:
    """Per center and for all of them together: reports, the severity mix, support requests
    and their follow-up, requests for advice, and hours from submission to triage and to a
    decision (median and 90th percentile, which ignore the reports not triaged or decided
    yet). Two queries over the period's tallies, a few rows per center and month whatever
    the number of reports: the counts add up, and the percentiles come from the histograms
    of the waits (wait_percentiles)."""
    sums = {name: Coalesce(Sum(_TALLY_COLUMNS.get(name, name)), 0) for name in _COUNTS}
    rows = (
        MonthTally.objects.filter(**_months_of(filters))
        .values("center_id")
        .annotate(**sums)
        .order_by()
    )
    by_center = {row.pop("center_id"): row for row in rows}
    whole = {name: sum(row[name] for row in by_center.values()) for name in _COUNTS}
    percentiles = wait_percentiles(filters)
    for center_id, figures in [*by_center.items(), (None, whole)]:
        for wait in Wait:
            median, p90 = percentiles.get((center_id, wait), (None, None))
            figures[f"{wait.label}_median"], figures[f"{wait.label}_p90"] = median, p90
    return by_center, whole


# The k-th shortest of n waits is the median for k = ceil(n / 2) and the 90th percentile for
# k = ceil(9n / 10): PostgreSQL's percentile_disc (nearest rank), in integers. Found band by
# band (dashboard.models.WaitBandTally): the 1,000-hour band that holds the k-th wait (the
# period's bands of each center and of all), the 10-hour band inside it, then the wait
# inside that one (indexes wait_band_tally_by_band, wait_tally_by_tenths), each step
# carrying the rank left inside the band it chose; each reads the tallies of the period at
# the chosen group's centers (0: all of them).
_PERCENTILES = """
WITH coarse AS (
    SELECT CASE WHEN GROUPING(center_id) = 1 THEN 0 ELSE center_id END AS grp, wait, band,
        sum(reports) AS reports
    FROM dashboard_waitbandtally
    WHERE center_id = ANY(%(centers)s) AND month >= %(first)s AND month <= %(last)s
        AND width = 10000
    GROUP BY GROUPING SETS ((center_id, wait, band), (wait, band))
), coarse_upto AS (
    SELECT grp, wait, band, reports,
        sum(reports) OVER (PARTITION BY grp, wait ORDER BY band) AS upto,
        sum(reports) OVER (PARTITION BY grp, wait) AS timed
    FROM coarse WHERE reports <> 0
), targets AS (
    SELECT DISTINCT grp, wait, percentile,
        CASE percentile WHEN 50 THEN div(timed + 1, 2) ELSE div(9 * timed + 9, 10) END AS rank
    FROM coarse_upto CROSS JOIN (VALUES (50), (90)) AS percentiles (percentile)
), in_coarse AS (
    SELECT DISTINCT ON (target.grp, target.wait, target.percentile)
        target.grp, target.wait, target.percentile,
        target.rank - (band.upto - band.reports) AS rank, band.band
    FROM targets target JOIN coarse_upto band
        ON band.grp = target.grp AND band.wait = target.wait AND band.upto >= target.rank
    ORDER BY target.grp, target.wait, target.percentile, band.band
), coarse_wanted AS MATERIALIZED (
    -- Each band read once, whichever groups and percentiles chose it.
    SELECT DISTINCT wait, band FROM in_coarse
), middle_rows AS MATERIALIZED (
    SELECT wanted.wait, wanted.band AS within, bands.center_id, bands.band, bands.reports
    FROM coarse_wanted AS wanted CROSS JOIN LATERAL (
        SELECT band.center_id, band.band, sum(band.reports) AS reports
        FROM dashboard_waitbandtally band
        WHERE band.wait = wanted.wait AND band.width = 100
            AND band.band >= wanted.band * 100 AND band.band < wanted.band * 100 + 100
            AND band.center_id = ANY(%(centers)s) AND band.month >= %(first)s
            AND band.month <= %(last)s
        GROUP BY band.center_id, band.band
    ) AS bands
), middle AS (
    SELECT pick.grp, pick.wait, pick.percentile, pick.rank, row.band, sum(row.reports) AS reports
    FROM in_coarse pick JOIN middle_rows row ON row.wait = pick.wait AND row.within = pick.band
        AND (pick.grp = 0 OR row.center_id = pick.grp)
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(row.reports) <> 0
), in_middle AS (
    SELECT DISTINCT ON (grp, wait, percentile)
        grp, wait, percentile, rank - (upto - reports) AS rank, band
    FROM (
        SELECT *, sum(reports) OVER (PARTITION BY grp, wait, percentile ORDER BY band) AS upto
        FROM middle
    ) AS bands
    WHERE upto >= rank ORDER BY grp, wait, percentile, band
), middle_wanted AS MATERIALIZED (
    SELECT DISTINCT wait, band FROM in_middle
), fine_rows AS MATERIALIZED (
    SELECT wanted.wait, wanted.band AS within, waits.center_id, waits.tenths, waits.reports
    FROM middle_wanted AS wanted CROSS JOIN LATERAL (
        SELECT wait.center_id, wait.tenths, sum(wait.reports) AS reports
        FROM dashboard_waittally wait
        WHERE wait.wait = wanted.wait
            AND wait.tenths >= wanted.band * 100 AND wait.tenths < wanted.band * 100 + 100
            AND wait.center_id = ANY(%(centers)s) AND wait.month >= %(first)s
            AND wait.month <= %(last)s
        GROUP BY wait.center_id, wait.tenths
    ) AS waits
), fine AS (
    SELECT pick.grp, pick.wait, pick.percentile, pick.rank, row.tenths, sum(row.reports) AS reports
    FROM in_middle pick JOIN fine_rows row ON row.wait = pick.wait AND row.within = pick.band
        AND (pick.grp = 0 OR row.center_id = pick.grp)
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(row.reports) <> 0
)
SELECT DISTINCT ON (grp, wait, percentile) grp, wait, percentile, tenths
FROM (
    SELECT *, sum(reports) OVER (PARTITION BY grp, wait, percentile ORDER BY tenths) AS upto
    FROM fine
) AS waits
WHERE upto >= rank ORDER BY grp, wait, percentile, tenths
"""


def _tally_rows(sql: str, filters: DashboardFilters, **params) -> list[tuple]:
    """The rows of ``sql`` (this module's) over the tallies of the period and centers."""
    bounds = {
        "centers": list(filters.center_ids),
        "first": filters.period.first,
        "last": filters.period.last,
    }
    # The figures read where the ORM reads them inside reporting_reads() (a replica).
    with reporting_connection().cursor() as cursor:
        cursor.execute(sql, {**bounds, **params})
        return cursor.fetchall()


def wait_percentiles(filters: DashboardFilters) -> dict[tuple[int | None, int], tuple]:
    """The median and 90th percentile of the hours to triage and to a decision, per center
    and for all of them (center None), from the histograms of the waits in tenths of an
    hour (dashboard.models.WaitTally), the resolution the page shows: nearest-rank
    percentiles, the wait of a report of the period, exactly as shown. One query; the
    percentiles of all the centers are of their reports together, not a mean of the
    centers'."""
    found: dict[tuple[int | None, int], dict[int, float]] = defaultdict(dict)
    for grp, wait, percentile, tenths in _tally_rows(_PERCENTILES, filters):
        found[grp or None, wait][percentile] = tenths / 10
    return {key: (values[50], values[90]) for key, values in found.items()}


def monthly_categories(filters: DashboardFilters) -> tuple[dict[tuple[date, int], int], dict]:
    """Reports per month (Tokyo time) and behaviour, and reports per month: a report that
    names two behaviours counts once under each, and once in its month. Two queries over the
    period's tallies (dashboard.models: CategoryTally, MonthTally)."""
    by_category = (
        CategoryTally.objects.filter(**_months_of(filters))
        .values("month", "category_id")
        .annotate(reports=Sum("reports"))
        .order_by()
    )
    per_month = (
        MonthTally.objects.filter(**_months_of(filters))
        .values("month")
        .annotate(reports=Sum("reports"))
        .order_by()
    )
    cells = {
        (row["month"], row["category_id"]): row["reports"] for row in by_category if row["reports"]
    }
    totals = {row["month"]: row["reports"] for row in per_month if row["reports"]}
    return cells, totals


def reported_categories(cells: dict[tuple[date, int], int]) -> list[Category]:
    """The behaviours named in the period, in the policy's order (one query)."""
    ids = {category_id for _month, category_id in cells}
    return list(Category.objects.filter(pk__in=ids).order_by("order", "code"))


# The zone of the rollup's months and days (the migrations' 'Asia/Tokyo', settings.TIME_ZONE).
TOKYO = ZoneInfo("Asia/Tokyo")

# Missed: acknowledged late (counted as it happens), or not acknowledged and due before today
# (by day: such a deadline has passed whatever the hour), or due today before now, looked up
# among today's open deadlines (index escalation_open_deadline), a day's at most.
_ESCALATIONS = """
SELECT center_id, sum(raised)::integer, sum(open)::integer, sum(missed)::integer FROM (
    SELECT center_id, raised, open, late AS missed FROM dashboard_escalationtally
    WHERE center_id = ANY(%(centers)s) AND month >= %(first)s AND month <= %(last)s
    UNION ALL
    SELECT center_id, 0, 0, waiting FROM dashboard_duetally
    WHERE center_id = ANY(%(centers)s) AND month >= %(first)s AND month <= %(last)s
        AND due < %(today)s
    UNION ALL
    SELECT report.center_id, 0, 0, 1
    FROM incidents_escalation escalation
    JOIN incidents_incidentreport report ON report.id = escalation.report_id
    WHERE escalation.acknowledged_at IS NULL
        AND escalation.ack_deadline >= %(today_starts)s AND escalation.ack_deadline < %(now)s
        AND report.center_id = ANY(%(centers)s) AND report.status = ANY(%(records)s)
        AND report.submitted_at >= %(starts)s AND report.submitted_at < %(ends)s
) AS figures GROUP BY center_id
"""


def escalation_figures(filters: DashboardFilters) -> dict[int, dict]:
    """Per center: escalations raised for the period's reports, those still waiting for an
    acknowledgement (one raised to the next level waits as that one: counted once), and
    those acknowledged late or not at all past their deadline. One query over the period's
    tallies (dashboard.models: EscalationTally, DueTally) and today's open deadlines; the
    counts add up, so the whole is their sum."""
    now = timezone.now()
    today = now.astimezone(TOKYO).date()
    rows = _tally_rows(
        _ESCALATIONS,
        filters,
        today=today,
        today_starts=datetime.combine(today, time.min, tzinfo=TOKYO),
        now=now,
        records=list(RECORD_STATUSES),
        starts=filters.period.starts_at,
        ends=filters.period.ends_before,
    )
    return {
        center_id: {"raised": raised, "open": waiting, "missed": missed}
        for center_id, raised, waiting, missed in rows
    }


# The longest period a page shows (dashboard.forms), and the furthest RepeatTally reaches
# back (migration 0008's REACH).
MAX_MONTHS = 36

# A candidate with two (three) or more records in the period has exactly one record there
# whose previous (second previous) record is in the period and whose second (third) previous
# is not: RepeatTally counts records by how many months back those were.
_REPEATS = """
SELECT kind, sum(candidates)::integer FROM dashboard_repeattally
WHERE scope = %(scope)s AND month >= %(first)s AND month <= %(last)s
    AND since <= (date_part('year', month) * 12 + date_part('month', month) - 1)::integer
        - %(first_index)s
    AND before > (date_part('year', month) * 12 + date_part('month', month) - 1)::integer
        - %(first_index)s
GROUP BY kind
"""


def _repeat_scope(filters: DashboardFilters) -> int | None:
    """The chains of RepeatTally that answer for the centers chosen: of every center (0) or
    of one; None for another set of centers (a region of several), or a longer period."""
    if len(filters.period.months) > MAX_MONTHS:
        return None
    if len(filters.center_ids) == 1:
        return filters.center_ids[0]
    if set(filters.center_ids) == set(TestCenter.objects.values_list("pk", flat=True)):
        return 0
    return None


def repeat_candidates(filters: DashboardFilters) -> dict[str, int]:
    """How many candidates had two or more, and three or more, reports in the period and
    centers: counts only, never who. From the rollup (RepeatTally) for one center or all of
    them, two queries; counted from the period's records for another set of centers."""
    scope = _repeat_scope(filters)
    if scope is None:
        return _repeat_candidates_counted(filters)
    first = filters.period.first
    counts = dict(
        _tally_rows(_REPEATS, filters, scope=scope, first_index=first.year * 12 + first.month - 1)
    )
    return {"two_or_more": counts.get(2, 0), "three_or_more": counts.get(3, 0)}


def _repeat_candidates_counted(filters: DashboardFilters) -> dict[str, int]:
    """Repeat candidates counted from the period's records (index report_dashboard): one
    query (the per-candidate counts in a subquery)."""
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
    # The figures read where the ORM reads them inside reporting_reads() (a replica).
    with reporting_connection().cursor() as cursor:
        # The inner SQL is the ORM's own; every value in it is a parameter.
        select = "SELECT count(*) FILTER (WHERE reports >= 2), count(*) FILTER (WHERE reports >= 3)"
        counts = f"{select} FROM ({inner}) AS per_candidate"
        cursor.execute(counts, params)
        two_or_more, three_or_more = cursor.fetchone()
    return {"two_or_more": two_or_more, "three_or_more": three_or_more}

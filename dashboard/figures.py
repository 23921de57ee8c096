"""The dashboard as tables: each figure the page charts is a table first, and the page, its
CSV export and its chart are all drawn from that one table, so that they cannot disagree.
Labels are translated here, in the reader's language, for the chart as for the table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import TestCenter
from policy.models import Severity

from . import selectors
from .selectors import DashboardFilters

Cell = int | str


@dataclass
class Chart:
    """What static/js/dashboard.js draws: labels and datasets, every word already translated."""

    kind: str  # "bar" or "doughnut"
    labels: list[str]
    datasets: list[dict]
    stacked: bool = False
    horizontal: bool = False

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "labels": self.labels,
            "datasets": self.datasets,
            "stacked": self.stacked,
            "horizontal": self.horizontal,
        }


@dataclass
class Table:
    slug: str
    title: str
    description: str
    header: list[str]
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def labelled_rows(self) -> list[list[tuple[str, Cell]]]:
        """Each row's cells with their column's name (a card on a narrow screen shows it)."""
        return [list(zip(self.header, row, strict=True)) for row in self.rows]

    @property
    def labelled_total(self) -> list[tuple[str, Cell]] | None:
        return list(zip(self.header, self.total, strict=True)) if self.total else None

    @property
    def csv_rows(self) -> list[list[Cell]]:
        return [*self.rows, self.total] if self.total else list(self.rows)


def hours(value: float | None) -> str:
    """Hours with one decimal, the same on the page and in the CSV; empty when nothing was
    timed (no report triaged or decided yet)."""
    return "" if value is None else f"{value:.1f}"


def month_label(month: date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def _dataset(label: str, data: list) -> dict:
    return {"label": label, "data": data}


def _severities() -> list[Severity]:
    # The most severe first, as the review queue reads them.
    return list(reversed(Severity))


def monthly_table(filters: DashboardFilters) -> Table:
    cells, totals = selectors.monthly_categories(filters)
    categories = selectors.reported_categories(cells)
    months = filters.period.months
    rows: list[list[Cell]] = [
        [
            month_label(month),
            *(cells.get((month, category.pk), 0) for category in categories),
            totals.get(month, 0),
        ]
        for month in months
    ]
    total = [
        _("Whole period"),
        *(sum(cells.get((m, category.pk), 0) for m in months) for category in categories),
        sum(totals.values()),
    ]
    chart = Chart(
        kind="bar",
        labels=[month_label(month) for month in months],
        datasets=[
            _dataset(category.name, [cells.get((m, category.pk), 0) for m in months])
            for category in categories
        ],
        stacked=True,
    )
    return Table(
        slug="monthly",
        title=_("Reports per month by behaviour"),
        description=_(
            "A report that names two behaviours counts under each; the last column counts "
            "each report once. Months are those in which the reports were submitted."
        ),
        header=[_("Month"), *(category.name for category in categories), _("Reports")],
        rows=rows,
        total=total,
        chart=chart,
    )


def severity_table(whole: dict) -> Table:
    reports = whole["reports"]
    rows: list[list[Cell]] = [
        [severity.label, whole[f"severity_{severity.value}"], _share(whole, severity, reports)]
        for severity in _severities()
    ]
    chart = Chart(
        kind="doughnut",
        labels=[str(severity.label) for severity in _severities()],
        datasets=[
            _dataset(
                _("Reports"), [whole[f"severity_{severity.value}"] for severity in _severities()]
            )
        ],
    )
    return Table(
        slug="severity",
        title=_("Severity mix"),
        description=_("The severity of each report as it stands after triage."),
        header=[_("Severity"), _("Reports"), _("Share (%)")],
        rows=rows,
        total=[_("All severities"), reports, "100.0" if reports else ""],
        chart=chart,
    )


def _share(whole: dict, severity: Severity, reports: int) -> str:
    count = whole[f"severity_{severity.value}"]
    return f"{100 * count / reports:.1f}" if reports else ""


def _per_center(
    centers: list[TestCenter],
    by_center: dict[int, dict],
    whole: dict,
    columns: list[tuple[str, Callable[[dict], Cell]]],
) -> tuple[list[list[Cell]], list[Cell]]:
    """One row per center (zeros where it had nothing) and the row of all of them."""
    empty: dict = {}
    rows = [
        [center.name, *(value(by_center.get(center.pk, empty)) for _label, value in columns)]
        for center in centers
    ]
    return rows, [_("All centers"), *(value(whole) for _label, value in columns)]


def _count(key: str) -> Callable[[dict], int]:
    return lambda figures: figures.get(key) or 0


def _hours_of(key: str) -> Callable[[dict], str]:
    return lambda figures: hours(figures.get(key))


def centers_table(centers, by_center, whole) -> Table:
    columns = [(_("Reports"), _count("reports"))] + [
        (str(severity.label), _count(f"severity_{severity.value}")) for severity in _severities()
    ]
    rows, total = _per_center(centers, by_center, whole, columns)
    chart = Chart(
        kind="bar",
        labels=[center.name for center in centers],
        datasets=[
            _dataset(str(severity.label), [row[2 + i] for row in rows])
            for i, severity in enumerate(_severities())
        ],
        stacked=True,
        horizontal=True,
    )
    return Table(
        slug="centers",
        title=_("The centers side by side"),
        description=_("Reports submitted at each center in the period, by severity."),
        header=[_("Center"), *(label for label, _value in columns)],
        rows=rows,
        total=total,
        chart=chart,
    )


def response_table(centers, by_center, whole) -> Table:
    columns = [
        (_("Triaged"), _count("triaged")),
        (_("Hours to triage (median)"), _hours_of("triage_median")),
        (_("Hours to triage (90th percentile)"), _hours_of("triage_p90")),
        (_("Decided"), _count("decided")),
        (_("Hours to a decision (median)"), _hours_of("decision_median")),
        (_("Hours to a decision (90th percentile)"), _hours_of("decision_p90")),
    ]
    rows, total = _per_center(centers, by_center, whole, columns)
    labels = [center.name for center in centers] + [_("All centers")]
    every = [*rows, total]
    chart = Chart(
        kind="bar",
        labels=labels,
        datasets=[
            _dataset(columns[1][0], [_number(row[2]) for row in every]),
            _dataset(columns[2][0], [_number(row[3]) for row in every]),
            _dataset(columns[4][0], [_number(row[5]) for row in every]),
            _dataset(columns[5][0], [_number(row[6]) for row in every]),
        ],
    )
    return Table(
        slug="response",
        title=_("Time to triage and to a decision"),
        description=_(
            "Hours from the submission of a report to the start of its review, and to the "
            "first decision on the candidate's case file after it. Reports not yet triaged "
            "or decided are left out of the hours. The median is the wait within which at "
            "least half of the reports were triaged or decided, the 90th percentile the "
            "wait within which at least nine in ten were: each is one report's wait; the "
            "percentiles are of all the centers' reports together, not an average of the "
            "centers."
        ),
        header=[_("Center"), *(label for label, _value in columns)],
        rows=rows,
        total=total,
        chart=chart,
    )


def _number(cell: Cell) -> float | None:
    return float(cell) if cell != "" else None


def _per_center_table(
    *, slug: str, title: str, description: str, centers, by_center, whole, columns
) -> Table:
    """A table of counts per center, its chart a bar per column beside each center."""
    rows, total = _per_center(centers, by_center, whole, columns)
    chart = Chart(
        kind="bar",
        labels=[center.name for center in centers],
        datasets=[
            _dataset(label, [row[1 + i] for row in rows]) for i, (label, _v) in enumerate(columns)
        ],
    )
    return Table(
        slug=slug,
        title=title,
        description=description,
        header=[_("Center"), *(label for label, _value in columns)],
        rows=rows,
        total=total,
        chart=chart,
    )


def escalations_table(centers, escalations: dict[int, dict]) -> Table:
    keys = ("raised", "open", "missed")
    return _per_center_table(
        slug="escalations",
        title=_("Escalations open and deadlines missed"),
        description=_(
            "Escalations of the period's reports: still waiting for someone to acknowledge "
            "them, and acknowledged after their deadline or not at all once it passed."
        ),
        centers=centers,
        by_center=escalations,
        whole={key: sum(row[key] for row in escalations.values()) for key in keys},
        columns=[
            (_("Escalations raised"), _count("raised")),
            (_("Waiting for acknowledgement"), _count("open")),
            (_("Deadlines missed"), _count("missed")),
        ],
    )


def support_table(centers, by_center, whole) -> Table:
    def awaiting(figures: dict) -> int:
        return (figures.get("asked_support") or 0) - (figures.get("support_followed_up") or 0)

    return _per_center_table(
        slug="support",
        title=_("Support requests and borderline consultations"),
        description=_(
            "Reports whose reporter asked for support, whether the support was followed up, "
            "and reports whose reporter was unsure it was harassment and asked for advice."
        ),
        centers=centers,
        by_center=by_center,
        whole=whole,
        columns=[
            (_("Support requested"), _count("asked_support")),
            (_("Followed up"), _count("support_followed_up")),
            (_("Awaiting follow-up"), awaiting),
            (_("Advice requested (borderline)"), _count("asked_advice")),
        ],
    )


def repeat_table(repeat: dict[str, int]) -> Table:
    return Table(
        slug="repeat",
        title=_("Repeat candidates"),
        description=_(
            "Candidates named in more than one report of the period and centers: how many, "
            "never who (their case files say who)."
        ),
        header=[_("Reports of the same candidate"), _("Candidates")],
        rows=[
            [pgettext("reports of one candidate", "2 or more"), repeat["two_or_more"]],
            [pgettext("reports of one candidate", "3 or more"), repeat["three_or_more"]],
        ],
    )


class Figures:
    """The queries behind the tables, each made once and only when a table needs it."""

    def __init__(self, filters: DashboardFilters) -> None:
        self.filters = filters

    @cached_property
    def centers(self) -> list[TestCenter]:
        return list(TestCenter.objects.filter(pk__in=self.filters.center_ids).order_by("code"))

    @cached_property
    def of_centers(self) -> tuple[dict[int, dict], dict]:
        return selectors.center_figures(self.filters)

    @cached_property
    def by_center(self) -> dict[int, dict]:
        return self.of_centers[0]

    @cached_property
    def whole(self) -> dict:
        return self.of_centers[1]


BUILDERS: dict[str, Callable[[Figures], Table]] = {
    "monthly": lambda f: monthly_table(f.filters),
    "severity": lambda f: severity_table(f.whole),
    "centers": lambda f: centers_table(f.centers, f.by_center, f.whole),
    "response": lambda f: response_table(f.centers, f.by_center, f.whole),
    "escalations": lambda f: escalations_table(f.centers, selectors.escalation_figures(f.filters)),
    "support": lambda f: support_table(f.centers, f.by_center, f.whole),
    "repeat": lambda f: repeat_table(selectors.repeat_candidates(f.filters)),
}
TABLES = tuple(BUILDERS)


def dashboard_tables(filters: DashboardFilters) -> list[Table]:
    """Every table of the dashboard, in the page's order: eight queries whatever the data
    (two for the months and one for the behaviours' names, two for the centers' figures (the
    counts and the percentiles) and one for the centers, one for escalations, one for repeat
    candidates)."""
    figures = Figures(filters)
    return [build(figures) for build in BUILDERS.values()]


def dashboard_table(slug: str, filters: DashboardFilters) -> Table:
    """One table (for its CSV export), with only the queries it needs."""
    return BUILDERS[slug](Figures(filters))

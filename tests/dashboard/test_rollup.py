"""The dashboard's rollup (dashboard/models.py) equals the data after every kind of write:
submission, a draft, triage and closing, a correction of the behaviours and severity, a
decision, a report linked to another candidate, two candidates merged, a support follow-up
added and removed, an update of many rows at once, a table emptied, a bulk load. After each,
the tallies the triggers kept equal the tallies computed from scratch
(dashboard_tallies_rebuild()), and the figures the dashboard reads from them equal the
figures computed here in Python from the reports themselves."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import TestCenter
from dashboard import selectors
from dashboard.models import MonthTally, Wait
from dashboard.rollup import tallies_rebuild, tally_contents
from dashboard.selectors import DashboardFilters, Period
from incidents.models import (
    RECORD_STATUSES,
    Escalation,
    IncidentReport,
    ReportCategory,
    SupportFollowUp,
)
from incidents.services import support_follow_up_add
from incidents.services.cases import candidates_merge, case_file_link_report
from incidents.services.escalation import escalation_acknowledge, escalations_sweep
from incidents.services.triage import report_correct, report_set_status
from policy.models import Category, Severity
from tests.dashboard.conftest import _decide, _file, _triage, at
from tests.helpers import file_report


def tallies() -> dict[str, set[tuple]]:
    return tally_contents()


def rebuild() -> None:
    tallies_rebuild()


def _tenths(since, moment) -> int:
    """Hours × 10 from ``since`` to ``moment``, to the nearest (halves up), in integers."""
    microseconds = (moment - since) // timedelta(microseconds=1)
    return (2 * microseconds + 360_000_000) // 720_000_000


def _nearest_rank(values: list[int], numerator: int, denominator: int) -> float:
    """The k-th smallest for the first k with k / n >= numerator / denominator."""
    ordered = sorted(values)
    rank = -(-len(ordered) * numerator // denominator)
    return ordered[rank - 1] / 10


def figures_from_reports(filters: DashboardFilters) -> tuple[dict, dict, dict, dict]:
    """center_figures() and monthly_categories() computed from the records one by one."""
    period = filters.period
    records = IncidentReport.objects.filter(
        status__in=RECORD_STATUSES,
        center_id__in=filters.center_ids,
        submitted_at__gte=period.starts_at,
        submitted_at__lt=period.ends_before,
    ).prefetch_related("categories", "support_follow_ups")
    groups: dict = defaultdict(list)
    cells: Counter = Counter()
    totals: Counter = Counter()
    for report in records:
        groups[report.center_id].append(report)
        groups[None].append(report)
        month = timezone.localtime(report.submitted_at).date().replace(day=1)
        totals[month] += 1
        for category in report.categories.all():
            cells[month, category.pk] += 1
    figures = {}
    for key, reports in groups.items():
        counts = {
            "reports": len(reports),
            **{f"severity_{s.value}": sum(r.severity == s for r in reports) for s in Severity},
            "asked_support": sum(r.support_requested for r in reports),
            "support_followed_up": sum(
                r.support_requested and bool(r.support_follow_ups.all()) for r in reports
            ),
            "asked_advice": sum(r.advice_requested for r in reports),
        }
        for wait, field in ((Wait.TRIAGE, "triaged_at"), (Wait.DECISION, "decided_at")):
            waits = [
                _tenths(r.submitted_at, getattr(r, field)) for r in reports if getattr(r, field)
            ]
            counts["triaged" if wait == Wait.TRIAGE else "decided"] = len(waits)
            counts[f"{wait.label}_median"] = _nearest_rank(waits, 1, 2) if waits else None
            counts[f"{wait.label}_p90"] = _nearest_rank(waits, 9, 10) if waits else None
        figures[key] = counts
    whole = figures.pop(None, None)
    return figures, whole, dict(cells), dict(totals)


def escalations_from_data(filters: DashboardFilters) -> dict[int, dict]:
    """escalation_figures() computed from the escalations one by one."""
    period, now = filters.period, timezone.now()
    rows = Escalation.objects.filter(
        report__status__in=RECORD_STATUSES,
        report__center_id__in=filters.center_ids,
        report__submitted_at__gte=period.starts_at,
        report__submitted_at__lt=period.ends_before,
    ).select_related("report")
    raised_from = set(Escalation.objects.values_list("previous_id", flat=True))
    figures: dict = defaultdict(lambda: {"raised": 0, "open": 0, "missed": 0})
    for escalation in rows:
        counts = figures[escalation.report.center_id]
        counts["raised"] += 1
        if escalation.acknowledged_at is None and escalation.pk not in raised_from:
            counts["open"] += 1
        deadline = escalation.ack_deadline
        if deadline and (escalation.acknowledged_at or now) > deadline:
            counts["missed"] += 1
    return dict(figures)


def repeats_from_data(filters: DashboardFilters) -> dict[str, int]:
    """repeat_candidates() counted from the records one by one."""
    period = filters.period
    reports = Counter(
        IncidentReport.objects.filter(
            status__in=RECORD_STATUSES,
            center_id__in=filters.center_ids,
            submitted_at__gte=period.starts_at,
            submitted_at__lt=period.ends_before,
            candidate__isnull=False,
        ).values_list("candidate_id", flat=True)
    )
    return {
        "two_or_more": sum(count >= 2 for count in reports.values()),
        "three_or_more": sum(count >= 3 for count in reports.values()),
    }


def assert_the_rollup_equals_the_data(filters: DashboardFilters) -> None:
    kept = tallies()
    rebuild()
    assert kept == tallies(), "the triggers' tallies differ from the tallies from scratch"
    by_center, whole = selectors.center_figures(filters)
    cells, totals = selectors.monthly_categories(filters)
    expected_by_center, expected_whole, expected_cells, expected_totals = figures_from_reports(
        filters
    )
    assert by_center == expected_by_center
    if expected_whole is not None:
        assert whole == expected_whole
    else:
        assert whole["reports"] == 0 and whole["triage_median"] is None
    assert (cells, totals) == (expected_cells, expected_totals)
    escalations = selectors.escalation_figures(filters)
    assert {k: v for k, v in escalations.items() if v["raised"]} == escalations_from_data(filters)
    # Every center (the chains of all), each one alone (its own chains).
    for centers in [filters.center_ids, *((center,) for center in filters.center_ids)]:
        chosen = DashboardFilters(period=filters.period, center_ids=centers)
        assert selectors._repeat_scope(chosen) is not None
        assert selectors.repeat_candidates(chosen) == repeats_from_data(chosen), centers
        # What another set of centers (a region of several) is counted by.
        assert selectors._repeat_candidates_counted(chosen) == repeats_from_data(chosen)


@pytest.fixture
def everything(db) -> DashboardFilters:
    """Every center, from July to October 2025 (the known reports and those around them)."""
    return DashboardFilters(
        period=Period(first=date(2025, 7, 1), last=date(2025, 10, 1)),
        center_ids=tuple(sorted(TestCenter.objects.values_list("pk", flat=True))),
    )


def test_an_emptied_portal_has_nothing_counted(without_reports, everything):
    assert not any(tallies().values())
    assert_the_rollup_equals_the_data(everything)


def test_the_rollup_equals_the_data_after_every_kind_of_write(
    known_reports,
    everything,
    staff_tokyo,
    supervisor_tokyo,
    supervisor_osaka,
    manager,
):
    reports = known_reports
    august = DashboardFilters(
        period=Period(first=date(2025, 8, 1), last=date(2025, 8, 1)),
        center_ids=everything.center_ids,
    )
    # Filed, triaged, followed up and decided through the services (tests/dashboard/conftest).
    assert tallies()["MonthTally"]
    assert_the_rollup_equals_the_data(everything)
    assert_the_rollup_equals_the_data(august)

    # A draft counts for nothing until it is submitted.
    draft = _file(staff_tokyo, at(8, 7, 10), submit=False, categories=("other",))
    assert_the_rollup_equals_the_data(everything)

    # Corrected at triage: other behaviours, another severity.
    report_correct(
        report=reports["B"],
        by=supervisor_tokyo,
        categories=Category.objects.filter(code__in=["other", "physical_attack"]),
        severity="critical",
        reason="It was a push, not only words.",
    )
    assert_the_rollup_equals_the_data(everything)

    # Triage of another, and a close.
    _triage(reports["F"], supervisor_tokyo, at(10, 2, 9))
    report_set_status(report=reports["A"], by=supervisor_tokyo, status="closed", note="Done.")
    assert_the_rollup_equals_the_data(everything)

    # A decision times every earlier report of the candidate's file (D and G).
    _decide("CAND0003", supervisor_osaka, at(9, 20, 10))
    assert_the_rollup_equals_the_data(everything)

    # A report linked to another candidate, then two candidates merged.
    case_file_link_report(
        report=reports["F"], by=supervisor_tokyo, candidate_id="CAND0001", reason="Mistyped."
    )
    assert_the_rollup_equals_the_data(everything)
    from incidents.models import Candidate

    candidates_merge(
        source=Candidate.objects.get(candidate_id="CAND0003"),
        target=Candidate.objects.get(candidate_id="CAND0001"),
        by=manager,
        reason="Same passport.",
    )
    assert_the_rollup_equals_the_data(everything)

    # Support: C followed up, then A's only follow-up removed, then a second one for C.
    support_follow_up_add(report=reports["C"], by=supervisor_osaka, note="Called her.")
    assert_the_rollup_equals_the_data(everything)
    SupportFollowUp.objects.filter(report=reports["A"]).delete()
    assert_the_rollup_equals_the_data(everything)
    support_follow_up_add(report=reports["C"], by=supervisor_osaka, note="Called again.")
    assert_the_rollup_equals_the_data(everything)

    # Whatever writes the rows, a service or not: many at once, a month and a center moved.
    IncidentReport.objects.filter(pk__in=[reports["D"].pk, reports["G"].pk]).update(
        submitted_at=at(8, 31, 23, 59), severity="low"
    )
    IncidentReport.objects.filter(pk=reports["E"].pk).update(
        center=reports["C"].center, triaged_at=at(8, 2, 10)
    )
    ReportCategory.objects.filter(report=reports["C"]).update(
        category=Category.objects.get(code="excessive_demand")
    )
    assert_the_rollup_equals_the_data(everything)
    assert_the_rollup_equals_the_data(august)

    # Escalations: one acknowledged, the others past their deadline raised to the next level.
    first = Escalation.objects.filter(report=reports["C"]).order_by("pk").first()
    escalation_acknowledge(escalation=first, by=manager, note="Seen.")
    assert_the_rollup_equals_the_data(everything)
    with time_machine.travel(at(11, 1, 10), tick=False):
        assert escalations_sweep()["raised"]
        assert_the_rollup_equals_the_data(everything)
    raised_again = Escalation.objects.filter(previous__isnull=False).order_by("pk").first()
    escalation_acknowledge(escalation=raised_again, by=manager, note="Seen late.")
    assert_the_rollup_equals_the_data(everything)

    # A new submission, and the draft submitted at last.
    file_report(staff_tokyo, candidate_id_entered="CAND0001")
    from incidents.services import report_submit

    with transaction.atomic():
        report_submit(report=draft, by=staff_tokyo)
    this_month = timezone.localdate().replace(day=1)
    now = DashboardFilters(
        period=Period(first=date(2025, 7, 1), last=this_month),
        center_ids=everything.center_ids,
    )
    assert_the_rollup_equals_the_data(now)


def test_a_deadline_missed_today_counts_from_the_moment_it_passes(known_reports, everything):
    """Escalations not acknowledged count as missed by the day of their deadline, and on
    that day from its very minute: before it they are not, after it they are."""
    waiting = Escalation.objects.filter(
        acknowledged_at__isnull=True, ack_deadline__isnull=False
    ).order_by("ack_deadline", "pk")
    deadline = waiting.first().ack_deadline
    center = waiting.first().report.center_id
    for moment in (deadline - timedelta(minutes=1), deadline, deadline + timedelta(minutes=1)):
        with time_machine.travel(moment, tick=False):
            assert_the_rollup_equals_the_data(everything)
    with time_machine.travel(deadline - timedelta(minutes=1), tick=False):
        before = selectors.escalation_figures(everything)[center]["missed"]
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        assert selectors.escalation_figures(everything)[center]["missed"] == before + 1


def test_a_write_the_triggers_did_not_see_is_caught(known_reports, everything):
    """The check above fails when the tallies drift from the reports: a write with the
    triggers off (as a bulk load without its rebuild) is found out."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        IncidentReport.objects.filter(pk=known_reports["A"].pk).update(severity="low")
        cursor.execute("SET LOCAL session_replication_role = origin")
    with pytest.raises(AssertionError, match="from scratch"):
        assert_the_rollup_equals_the_data(everything)


def test_a_bulk_load_is_counted_by_the_same_triggers(demo):
    """incidents.bench_data loads with COPY and multi-row statements: the statement triggers
    count each statement's rows at once."""
    from dashboard.forms import months_before
    from incidents.bench_data import generate

    generate(reports=600, seed=7)
    centers = tuple(sorted(TestCenter.objects.values_list("pk", flat=True)))
    last = timezone.localdate().replace(day=1)
    # The longest period a page shows, and a short one.
    for months in (36, 2):
        first = months_before(last, months - 1)
        filters = DashboardFilters(period=Period(first=first, last=last), center_ids=centers)
        assert_the_rollup_equals_the_data(filters)


def test_the_rebuild_command_checks_and_computes_the_tallies(known_reports):
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("dashboard_rebuild", "--check", stdout=out)
    assert "equal the reports" in out.getvalue()
    MonthTally.objects.update(reports=F("reports") + 1)  # drifted
    with pytest.raises(CommandError, match="MonthTally"):
        call_command("dashboard_rebuild", "--check", stdout=out)
    call_command("dashboard_rebuild", stdout=out)
    call_command("dashboard_rebuild", "--check", stdout=out)

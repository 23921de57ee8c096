"""The moments the dashboard times a report by (IncidentReport.triaged_at and decided_at) are
stored by the services that make them, and always say what the timeline and the decisions
say: the first "review started" event of the report, and the first decision on its
candidate's case file proposed at or after its submission, whatever happens to the case
files afterwards (a decision, a report linked to another candidate, two candidates merged)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from incidents.models import CaseFile, Decision, EventKind, IncidentReport, TimelineEvent
from incidents.services.cases import candidates_merge, case_file_link_report
from tests.dashboard.conftest import _decide as decide
from tests.dashboard.conftest import _file, _triage, at


def moments(report) -> tuple:
    report.refresh_from_db()
    return report.triaged_at, report.decided_at


def derived_moments() -> dict[int, tuple]:
    """Each record's moments computed from the timeline and the decisions, as the dashboard
    computed them before they were stored."""
    review = TimelineEvent.objects.filter(
        report=OuterRef("pk"), kind=EventKind.REPORT_UNDER_REVIEW
    ).order_by("created_at")
    decision = Decision.objects.filter(
        case_file__candidate_id=OuterRef("candidate_id"),
        proposed_at__gte=OuterRef("submitted_at"),
    ).order_by("proposed_at")
    rows = IncidentReport.objects.exclude(submitted_at=None).annotate(
        review=Subquery(review.values("created_at")[:1]),
        decision=Subquery(decision.values("proposed_at")[:1]),
    )
    return {row.pk: (row.review, row.decision) for row in rows}


def stored_moments() -> dict[int, tuple]:
    rows = IncidentReport.objects.exclude(submitted_at=None)
    return {row.pk: (row.triaged_at, row.decided_at) for row in rows}


def test_the_review_stores_when_it_started(without_reports, staff_tokyo, supervisor_tokyo):
    report = _file(staff_tokyo, at(8, 1, 10), candidate_id_entered="CAND0101")
    assert moments(report) == (None, None)
    _triage(report, supervisor_tokyo, at(8, 1, 13))
    assert moments(report) == (at(8, 1, 13), None)
    assert stored_moments() == derived_moments()


def test_a_decision_times_the_reports_before_it_and_never_moves_an_earlier_one(
    without_reports, staff_tokyo, supervisor_tokyo
):
    before = _file(staff_tokyo, at(8, 1, 10), candidate_id_entered="CAND0101")
    decide("CAND0101", supervisor_tokyo, at(8, 2, 10))
    after = _file(staff_tokyo, at(8, 3, 10), candidate_id_entered="CAND0101")
    other = _file(staff_tokyo, at(8, 1, 9), candidate_id_entered="CAND0102")
    assert moments(before) == (None, at(8, 2, 10))
    assert moments(after) == (None, None)
    decide("CAND0101", supervisor_tokyo, at(8, 5, 10))
    assert moments(before) == (None, at(8, 2, 10))  # its first decision stays the first
    assert moments(after) == (None, at(8, 5, 10))
    assert moments(other) == (None, None)  # another candidate's case file
    assert stored_moments() == derived_moments()


def test_linking_a_report_to_another_candidate_times_it_by_that_file(
    without_reports, staff_tokyo, supervisor_tokyo
):
    _file(staff_tokyo, at(8, 1, 8), candidate_id_entered="CAND0101")
    decide("CAND0101", supervisor_tokyo, at(8, 2, 10))
    mistyped = _file(staff_tokyo, at(8, 1, 9), candidate_id_entered="CAND0199")
    assert moments(mistyped) == (None, None)
    case_file_link_report(
        report=mistyped, by=supervisor_tokyo, candidate_id="CAND0101", reason="ID mistyped."
    )
    assert moments(mistyped) == (None, at(8, 2, 10))
    case_file_link_report(
        report=mistyped, by=supervisor_tokyo, candidate_id="CAND0199", reason="It was right."
    )
    assert moments(mistyped) == (None, None)
    assert stored_moments() == derived_moments()


def test_a_merge_times_every_report_of_the_merged_file_by_all_its_decisions(
    without_reports, staff_tokyo, staff_osaka, supervisor_tokyo, supervisor_osaka, manager
):
    kept = _file(staff_tokyo, at(8, 3, 10), candidate_id_entered="CAND0101")
    decide("CAND0101", supervisor_tokyo, at(8, 5, 10))
    joined = _file(staff_osaka, at(8, 4, 10), candidate_id_entered="CAND0102")
    decide("CAND0102", supervisor_osaka, at(8, 4, 12))
    assert (moments(kept), moments(joined)) == ((None, at(8, 5, 10)), (None, at(8, 4, 12)))
    target = CaseFile.objects.get(candidate__candidate_id="CAND0101").candidate
    source = CaseFile.objects.get(candidate__candidate_id="CAND0102").candidate
    candidates_merge(source=source, target=target, by=manager, reason="Same passport.")
    # The joined file's decision came before the kept file's: it is now the first after kept.
    assert moments(kept) == (None, at(8, 4, 12))
    assert moments(joined) == (None, at(8, 4, 12))
    assert stored_moments() == derived_moments()


def test_the_known_reports_store_what_the_timeline_and_decisions_say(known_reports):
    stored = stored_moments()
    assert stored == derived_moments()
    assert stored[known_reports["A"].pk] == (at(8, 5, 12), at(8, 6, 10))
    assert stored[known_reports["B"].pk] == (at(8, 21, 14), None)

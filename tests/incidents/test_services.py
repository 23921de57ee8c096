import uuid

import pytest
from django.db import transaction

from incidents.models import (
    Candidate,
    CaseFile,
    CaseFileStatus,
    EventKind,
    IncidentReport,
    ReferenceCounter,
    TimelineEvent,
)
from incidents.rules import suggest_severity
from incidents.services import (
    ReportError,
    ReportIncomplete,
    report_add_addendum,
    report_save_draft,
    report_submit,
    report_withdraw_draft,
)
from policy.models import Category, PolicyVersion
from policy.services import policy_version_create_draft, policy_version_publish
from tests.helpers import file_report, in_threads


def categories(*codes: str) -> list[Category]:
    return list(Category.objects.filter(code__in=codes))


# --- Severity ---------------------------------------------------------------------------


def test_the_suggested_severity_is_the_highest_of_the_behaviours(demo):
    assert (
        suggest_severity(categories("unjustified_face_to_face"), injury=False, police_called=False)
        == "low"
    )
    assert (
        suggest_severity(
            categories("unjustified_face_to_face", "verbal_abuse", "prolonged_detention"),
            injury=False,
            police_called=False,
        )
        == "high"
    )


def test_an_injury_makes_any_report_critical_and_the_police_at_least_high(demo):
    low = categories("unjustified_face_to_face")
    assert suggest_severity(low, injury=True, police_called=False) == "critical"
    assert suggest_severity(low, injury=False, police_called=True) == "high"
    assert (
        suggest_severity(categories("physical_attack"), injury=False, police_called=True)
        == "critical"
    )


def test_submission_stores_the_suggested_severity(staff_tokyo):
    report = file_report(staff_tokyo, categories=("prolonged_detention",), police_called=True)
    assert (report.suggested_severity, report.severity, report.severity_reason) == (
        "high",
        "high",
        "",
    )


def test_a_reporter_may_raise_the_severity_with_a_reason(staff_tokyo):
    report = file_report(
        staff_tokyo,
        categories=("prolonged_detention",),
        severity="critical",
        severity_reason="He blocked the exit.",
    )
    assert (report.suggested_severity, report.severity) == ("medium", "critical")
    assert report.severity_reason == "He blocked the exit."


def test_raising_the_severity_needs_a_reason_and_lowering_it_is_refused(staff_tokyo):
    with pytest.raises(ReportIncomplete) as raised:
        file_report(staff_tokyo, categories=("prolonged_detention",), severity="high")
    assert "severity_reason" in raised.value.problems
    with pytest.raises(ReportIncomplete) as lowered:
        file_report(staff_tokyo, categories=("physical_attack",), severity="low")
    assert "severity" in lowered.value.problems


# --- Submission ---------------------------------------------------------------------------


def test_submission_fixes_reference_policy_version_and_timeline(staff_tokyo):
    report = file_report(staff_tokyo)
    assert report.status == "submitted"
    assert report.reference.startswith("CH-") and len(report.reference) == len("CH-2026-000001")
    assert report.reference[3:7] == str(report.submitted_at.astimezone().year)
    assert report.policy_version == PolicyVersion.objects.get(status="published")
    assert list(report.timeline.values_list("kind", flat=True))[0] == EventKind.REPORT_SUBMITTED
    assert report.timeline.filter(kind=EventKind.REPORT_SUBMITTED).count() == 1


def test_references_are_numbered_per_year_in_order(staff_tokyo):
    first, second = file_report(staff_tokyo), file_report(staff_tokyo)
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_the_report_cites_the_version_in_force_when_it_was_submitted(staff_tokyo, admin):
    before = file_report(staff_tokyo)
    draft = policy_version_create_draft(source=before.policy_version, created_by=admin)
    policy_version_publish(version=draft, published_by=admin)
    after = file_report(staff_tokyo)
    before.refresh_from_db()
    assert (before.policy_version.number, after.policy_version.number) == (1, 2)


def test_an_incomplete_draft_is_not_submitted_and_says_what_is_missing(staff_tokyo):
    draft = file_report(staff_tokyo, submit=False, narrative="", categories=(), channel="")
    with pytest.raises(ReportIncomplete) as incomplete:
        report_submit(report=draft, by=staff_tokyo)
    assert set(incomplete.value.problems) == {"narrative", "categories", "channel"}
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.reference is None


def last_number() -> int:
    counter = ReferenceCounter.objects.first()
    return counter.last_number if counter else 0


def test_a_rolled_back_submission_gives_its_number_back(staff_tokyo):
    file_report(staff_tokyo)
    before = last_number()
    draft = file_report(staff_tokyo, submit=False)
    with pytest.raises(RuntimeError), transaction.atomic():
        report_submit(report=draft, by=staff_tokyo)
        raise RuntimeError("the request failed after the submission")
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert last_number() == before


def test_submitting_twice_returns_the_same_report(staff_tokyo):
    draft = file_report(staff_tokyo, submit=False)
    before = last_number()
    first = report_submit(report=draft, by=staff_tokyo)
    second = report_submit(report=draft, by=staff_tokyo)
    assert first.reference == second.reference
    assert TimelineEvent.objects.filter(report=draft, kind=EventKind.REPORT_SUBMITTED).count() == 1
    assert last_number() == before + 1


def test_posting_the_same_new_form_twice_saves_one_draft(staff_tokyo):
    token = uuid.uuid4()
    center = staff_tokyo.memberships.get().center
    for narrative in ("first", "second"):
        report_save_draft(
            reporter=staff_tokyo,
            form_token=token,
            values={"center": center, "narrative": narrative},
            categories=[],
        )
    assert IncidentReport.objects.filter(form_token=token).get().narrative == "second"


def test_only_the_reporter_submits_or_withdraws_a_draft(staff_tokyo, staff_osaka, supervisor_tokyo):
    draft = file_report(staff_tokyo, submit=False)
    for other in (staff_osaka, supervisor_tokyo):
        with pytest.raises(ReportError):
            report_submit(report=draft, by=other)
        with pytest.raises(ReportError):
            report_withdraw_draft(report=draft, by=other)


def test_a_withdrawn_draft_cannot_be_submitted(staff_tokyo):
    draft = file_report(staff_tokyo, submit=False)
    report_withdraw_draft(report=draft, by=staff_tokyo)
    with pytest.raises(ReportError):
        report_submit(report=draft, by=staff_tokyo)


def test_a_submitted_report_is_not_changed_by_a_re_posted_draft_form(staff_tokyo):
    report = file_report(staff_tokyo)
    report_save_draft(
        reporter=staff_tokyo,
        form_token=report.form_token,
        values={"narrative": "rewritten"},
        categories=[],
    )
    report.refresh_from_db()
    assert report.narrative != "rewritten"


# --- Candidates and case files -----------------------------------------------------------


def test_a_new_candidate_id_creates_the_candidate_and_a_case_file(staff_tokyo):
    report = file_report(staff_tokyo, candidate_id_entered="SR55550001", candidate_name="鈴木 一郎")
    candidate = Candidate.objects.get(candidate_id="SR55550001")
    assert report.candidate == candidate and candidate.name == "鈴木 一郎"
    assert candidate.case_file.status == CaseFileStatus.OPEN
    assert candidate.case_file.timeline.filter(kind=EventKind.CASE_FILE_OPENED).count() == 1


def test_a_repeat_candidate_is_linked_across_centers(staff_tokyo, staff_osaka):
    first = file_report(staff_tokyo, candidate_id_entered="SR55550002")
    second = file_report(staff_osaka, candidate_id_entered="SR55550002")
    assert first.candidate == second.candidate
    assert CaseFile.objects.filter(candidate=first.candidate).count() == 1
    assert first.candidate.case_file.timeline.filter(kind=EventKind.REPORT_SUBMITTED).count() == 2


def test_a_new_report_reopens_a_closed_case_file(staff_tokyo):
    first = file_report(staff_tokyo, candidate_id_entered="SR55550003")
    CaseFile.objects.filter(candidate=first.candidate).update(status=CaseFileStatus.CLOSED)
    file_report(staff_tokyo, candidate_id_entered="SR55550003")
    case_file = CaseFile.objects.get(candidate=first.candidate)
    assert case_file.status == CaseFileStatus.OPEN
    assert case_file.timeline.filter(kind=EventKind.CASE_FILE_REOPENED).count() == 1


def test_an_unknown_caller_is_allowed(staff_tokyo):
    report = file_report(staff_tokyo, channel="phone", candidate_id_entered="")
    assert report.candidate is None and report.status == "submitted"


# --- Addenda -------------------------------------------------------------------------------


def test_the_reporter_adds_an_addendum_after_submitting(staff_tokyo, staff_osaka):
    report = file_report(staff_tokyo)
    addendum, rejected = report_add_addendum(report=report, by=staff_tokyo, text="He came back.")
    assert (addendum.text, rejected) == ("He came back.", [])
    assert report.timeline.filter(kind=EventKind.ADDENDUM_ADDED).count() == 1
    with pytest.raises(ReportError):
        report_add_addendum(report=report, by=staff_osaka, text="Not mine.")
    with pytest.raises(ReportError):
        report_add_addendum(report=file_report(staff_tokyo, submit=False), by=staff_tokyo, text="x")


# --- Concurrency (real transactions on real PostgreSQL) ----------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_consecutive_references(demo, staff_tokyo):
    drafts = [file_report(staff_tokyo, submit=False) for _ in range(8)]
    before = last_number()
    results = in_threads(8, lambda i: report_submit(report=drafts[i], by=staff_tokyo).reference)
    assert all(isinstance(result, str) for result in results), results
    numbers = sorted(int(reference[-6:]) for reference in results)
    assert numbers == list(range(before + 1, before + 9))


@pytest.mark.django_db(transaction=True)
def test_a_double_clicked_submit_creates_one_report(demo, staff_tokyo):
    draft = file_report(staff_tokyo, submit=False)
    before = last_number()
    results = in_threads(4, lambda i: report_submit(report=draft, by=staff_tokyo).reference)
    assert len(set(results)) == 1, results
    assert last_number() == before + 1
    assert TimelineEvent.objects.filter(report=draft, kind=EventKind.REPORT_SUBMITTED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_first_reports_about_one_new_candidate_make_one_candidate(
    demo, staff_tokyo, staff_osaka
):
    drafts = [
        file_report(staff_tokyo, submit=False, candidate_id_entered="SR77770001"),
        file_report(staff_osaka, submit=False, candidate_id_entered="SR77770001"),
    ]
    reporters = [staff_tokyo, staff_osaka]
    results = in_threads(2, lambda i: report_submit(report=drafts[i], by=reporters[i]))
    assert all(isinstance(result, IncidentReport) for result in results), results
    assert Candidate.objects.filter(candidate_id="SR77770001").count() == 1
    assert results[0].candidate_id == results[1].candidate_id


def test_a_case_files_risk_is_its_most_severe_report(staff_tokyo, staff_osaka):
    file_report(
        staff_tokyo, candidate_id_entered="SR55550009", categories=("unjustified_face_to_face",)
    )
    case_file = Candidate.objects.get(candidate_id="SR55550009").case_file
    assert case_file.risk_level == "low"
    file_report(staff_osaka, candidate_id_entered="SR55550009", categories=("physical_attack",))
    file_report(staff_tokyo, candidate_id_entered="SR55550009", categories=("other",))
    case_file.refresh_from_db()
    assert case_file.risk_level == "critical"

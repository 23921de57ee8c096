"""Reviewers at work on a report: review status, corrections, notes, questions, linking and
merging candidates."""

import pytest
from django.core import mail

from incidents.models import Candidate, EventKind, InformationRequest
from incidents.services import ReportError, report_add_addendum
from incidents.services.cases import candidates_merge, case_file_link_report
from incidents.services.triage import (
    information_request,
    note_add,
    report_correct,
    report_set_status,
)
from policy.models import Category
from tests.helpers import client_for, deliver_outbox, file_report


@pytest.fixture
def report(staff_tokyo):
    return file_report(
        staff_tokyo, candidate_id_entered="SR40000001", narrative="受付で暴言を40分間繰り返した。"
    )


def test_a_report_moves_submitted_under_review_closed_and_closing_needs_a_note(
    report, supervisor_tokyo
):
    with pytest.raises(ReportError):
        report_set_status(report=report, by=supervisor_tokyo, status="closed", note="Done")
    report_set_status(report=report, by=supervisor_tokyo, status="under_review")
    with pytest.raises(ReportError):
        report_set_status(report=report, by=supervisor_tokyo, status="closed", note=" ")
    closed = report_set_status(
        report=report, by=supervisor_tokyo, status="closed", note="Caution given."
    )
    assert closed.status == "closed"
    review = [EventKind.REPORT_SUBMITTED, EventKind.REPORT_UNDER_REVIEW, EventKind.REPORT_CLOSED]
    kinds = report.timeline.filter(kind__in=review).values_list("kind", flat=True)
    assert list(kinds) == review


@pytest.mark.parametrize("person", ["staff.tokyo", "supervisor.osaka", "admin", "outsider"])
def test_only_the_centers_supervisors_managers_and_legal_triage(demo, report, person):
    with pytest.raises(ReportError):
        report_set_status(report=report, by=demo[person], status="under_review")


def test_a_correction_keeps_its_reason(report, supervisor_tokyo):
    report_correct(
        report=report,
        by=supervisor_tokyo,
        categories=Category.objects.filter(code__in=["verbal_abuse", "prolonged_detention"]),
        severity="critical",
        reason="He blocked the exit as well.",
    )
    report.refresh_from_db()
    assert report.severity == "critical"
    assert sorted(report.categories.values_list("code", flat=True)) == [
        "prolonged_detention",
        "verbal_abuse",
    ]
    event = report.timeline.get(kind=EventKind.REPORT_CORRECTED)
    # The reason is the reviewer's words; what changed is kept as codes, named at display.
    assert event.note == "He blocked the exit as well."
    assert event.details["severity"] == ["high", "critical"]
    with pytest.raises(ReportError):
        report_correct(
            report=report,
            by=supervisor_tokyo,
            categories=Category.objects.filter(code="verbal_abuse"),
            severity="high",
            reason="",
        )


def test_internal_notes_are_never_shown_to_the_reporter(report, staff_tokyo, supervisor_tokyo):
    note_add(by=supervisor_tokyo, text="Known to the Osaka center too.", report=report)
    reviewer_page = client_for(supervisor_tokyo, language="en").get(
        f"/incidents/{report.reference}/"
    )
    assert "Known to the Osaka center too." in reviewer_page.content.decode()
    reporter_page = client_for(staff_tokyo, language="en").get(f"/incidents/{report.reference}/")
    page = reporter_page.content.decode()
    assert "Known to the Osaka center too." not in page
    assert "Internal note added" not in page


def test_the_reporter_is_asked_in_the_portal_and_by_one_email_without_details(
    report, staff_tokyo, supervisor_tokyo
):
    request = information_request(report=report, by=supervisor_tokyo, question="Which desk was it?")
    assert deliver_outbox("information-request:") == 1
    assert deliver_outbox("information-request:") == 0  # a repeated task sends nothing
    (message,) = mail.outbox
    assert message.to == ["staff.tokyo@example.com"]
    assert report.reference in message.subject and report.reference in message.body
    assert f"/incidents/{report.reference}/" in message.body
    assert "Which desk" not in message.body and "暴言" not in message.body
    assert "\n" not in message.subject
    page = (
        client_for(staff_tokyo, language="en")
        .get(f"/incidents/{report.reference}/")
        .content.decode()
    )
    assert "Which desk was it?" in page and "Please answer with an addendum below" in page

    report_add_addendum(report=report, by=staff_tokyo, text="Desk 2.")
    request.refresh_from_db()
    assert request.answer.text == "Desk 2." and request.answered_at
    assert report.timeline.filter(kind=EventKind.INFORMATION_ANSWERED).count() == 1


def test_the_email_is_in_the_reporters_language(report, staff_tokyo, supervisor_tokyo):
    staff_tokyo.language = "ja"
    staff_tokyo.save()
    information_request(report=report, by=supervisor_tokyo, question="どの受付でしたか")
    deliver_outbox("information-request:")
    assert "報告" in mail.outbox[0].subject


def test_a_report_can_be_linked_to_another_candidate(report, supervisor_tokyo):
    case_file_link_report(
        report=report, by=supervisor_tokyo, candidate_id="SR40000002", reason="ID mistyped."
    )
    report.refresh_from_db()
    assert report.candidate.candidate_id == "SR40000002"
    old = Candidate.objects.get(candidate_id="SR40000001").case_file
    assert old.timeline.filter(kind=EventKind.REPORT_RELINKED).exists()
    assert report.candidate.case_file.timeline.filter(kind=EventKind.REPORT_RELINKED).exists()


def test_two_records_of_one_person_are_merged_with_history(staff_tokyo, staff_osaka, manager):
    first = file_report(staff_tokyo, candidate_id_entered="SR40000003")
    second = file_report(staff_osaka, candidate_id_entered="SR40000004", candidate_name="山田 花子")
    source = Candidate.objects.get(candidate_id="SR40000004")
    target = Candidate.objects.get(candidate_id="SR40000003")
    candidates_merge(source=source, target=target, by=manager, reason="Same passport.")
    second.refresh_from_db()
    source.refresh_from_db()
    target.refresh_from_db()
    assert second.candidate == target == first.candidate
    assert source.merged_into == target and target.name == "山田 花子"
    assert source.case_file.status == "closed"
    for candidate in (source, target):
        assert candidate.case_file.timeline.filter(kind=EventKind.CANDIDATES_MERGED).exists()
    with pytest.raises(ReportError):
        candidates_merge(source=source, target=target, by=manager, reason="Again.")


def test_the_triage_tools_appear_for_reviewers_only(report, staff_tokyo, supervisor_tokyo, manager):
    for reviewer in (supervisor_tokyo, manager):
        assert (
            "Start the review"
            in client_for(reviewer, language="en")
            .get(f"/incidents/{report.reference}/")
            .content.decode()
        )
    assert (
        "Start the review"
        not in client_for(staff_tokyo, language="en")
        .get(f"/incidents/{report.reference}/")
        .content.decode()
    )
    response = client_for(staff_tokyo).post(
        f"/incidents/{report.reference}/review/status/", {"status": "under_review"}
    )
    assert response.status_code == 404


def test_closing_without_a_note_comes_back_with_a_message(report, supervisor_tokyo):
    client = client_for(supervisor_tokyo, language="en")
    client.post(f"/incidents/{report.reference}/review/status/", {"status": "under_review"})
    response = client.post(
        f"/incidents/{report.reference}/review/status/", {"status": "closed", "note": ""}
    )
    assert response.status_code == 422
    assert "Say how the report was resolved before closing it." in response.content.decode()


def test_asking_through_the_page_records_the_question(
    report, supervisor_tokyo, django_capture_on_commit_callbacks
):
    client = client_for(supervisor_tokyo, language="en")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            f"/incidents/{report.reference}/review/question/", {"question": "When?"}
        )
    assert response.status_code == 302
    assert InformationRequest.objects.get(report=report).question == "When?"
    assert len(callbacks) == 1  # the e-mail is queued only after the commit

"""Reports over the API, as a call-center tool files them: a draft, its changes, evidence,
the submission, an addendum, the list and one report; checked as the report form checks them,
with its messages."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from incidents.models import IncidentReport
from tests.api.conftest import api_client
from tests.helpers import client_for, file_report
from tests.samples import png_bytes

REPORTS = "/api/v1/reports/"


def a_draft(**overrides) -> dict:
    values = {
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "channel": "phone",
        "location": "コールセンター",
        "demand": "受験料の返金",
        "demand_legitimacy": "no",
        "narrative": "電話で30分間、暴言を繰り返した。",
        "categories": ["verbal_abuse", "prolonged_detention"],
        "duration_minutes": 30,
    }
    return {**values, **overrides}


def errors_of(response) -> dict[str, list[str]]:
    assert response["Content-Type"] == "application/problem+json", response.content
    found: dict[str, list[str]] = {}
    for error in response.json()["errors"]:
        found.setdefault(error["field"], []).append(error["detail"])
    return found


def test_a_call_center_tool_files_a_report_in_three_calls(demo, staff_tokyo):
    client = api_client(staff_tokyo)
    created = client.post(REPORTS, a_draft(narrative=""), content_type="application/json")
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["status"] == "draft" and draft["reference"] is None
    assert draft["center"] == "TKY01"  # her one center, as the web form starts from
    assert draft["categories"] == ["verbal_abuse", "prolonged_detention"]

    changed = client.patch(
        f"{REPORTS}{draft['draft_id']}/",
        {"narrative": "電話で30分間、暴言を繰り返した。"},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["location"] == "コールセンター"  # what was not sent is kept

    submitted = client.post(f"{REPORTS}{draft['draft_id']}/submit")
    assert submitted.status_code == 200, submitted.content
    report = submitted.json()
    assert report["reference"].startswith(f"CH-{timezone.localdate().year}-")
    assert report["status"] == "submitted" and report["severity"] == "high"
    assert report["policy_version"] is not None
    # The same report as the browser shows it.
    page = client_for(staff_tokyo).get(f"/incidents/{report['reference']}/")
    assert page.status_code == 200 and "電話で30分間" in page.content.decode()


def test_submitting_twice_answers_with_the_same_report(demo, staff_tokyo):
    client = api_client(staff_tokyo)
    draft = client.post(REPORTS, a_draft(), content_type="application/json").json()
    first = client.post(f"{REPORTS}{draft['draft_id']}/submit").json()
    again = client.post(f"{REPORTS}{draft['draft_id']}/submit")
    assert again.status_code == 200 and again.json()["reference"] == first["reference"]
    assert IncidentReport.objects.filter(public_id=draft["draft_id"]).count() == 1


def test_a_retried_create_with_its_form_token_makes_one_draft(demo, staff_tokyo):
    client = api_client(staff_tokyo)
    body = a_draft(form_token="6f1c1b9e-2a7c-4f1e-9a57-0d8a3c1b2e4f")
    first = client.post(REPORTS, body, content_type="application/json")
    second = client.post(REPORTS, {**body, "location": "窓口"}, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["draft_id"] == second.json()["draft_id"]
    assert second.json()["location"] == "窓口"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_form_s_own_messages_come_back_in_the_caller_s_language(demo, staff_tokyo, language):
    future = (timezone.now() + timedelta(days=2)).isoformat()
    response = api_client(staff_tokyo, language=language).post(
        REPORTS,
        a_draft(occurred_at=future, categories=["no_such_code"]),
        content_type="application/json",
    )
    assert response.status_code == 400
    with translation.override(language):
        expected = translation.gettext("The time of the incident cannot be in the future.")
    errors = errors_of(response)
    assert errors["occurred_at"] == [expected]
    assert "no_such_code" in errors["categories"][0]
    assert response.json()["status"] == 400


def test_what_a_submission_still_needs_comes_back_field_by_field(demo, staff_tokyo):
    client = api_client(staff_tokyo)
    draft = client.post(
        REPORTS, {"location": "受付", "channel": ""}, content_type="application/json"
    ).json()
    response = client.post(f"{REPORTS}{draft['draft_id']}/submit")
    assert response.status_code == 400
    errors = errors_of(response)
    assert {"occurred_at", "channel", "narrative", "categories"} <= set(errors)
    assert IncidentReport.objects.get(public_id=draft["draft_id"]).is_draft


def test_an_empty_report_makes_no_draft(demo, staff_tokyo):
    drafts = IncidentReport.objects.filter(reporter=staff_tokyo, status="draft")
    before = drafts.count()
    response = api_client(staff_tokyo).post(REPORTS, {}, content_type="application/json")
    assert response.status_code == 400 and "narrative" in errors_of(response)
    assert drafts.count() == before


def test_she_files_only_for_her_own_centers(demo, staff_tokyo, staff_osaka):
    response = api_client(staff_tokyo).post(
        REPORTS, a_draft(center="OSA01"), content_type="application/json"
    )
    assert response.status_code == 400 and "center" in errors_of(response)


@pytest.mark.parametrize("role", ["manager", "legal", "admin", "care", "outsider"])
def test_who_has_no_center_files_no_report(demo, role):
    response = api_client(demo[role]).post(REPORTS, a_draft(), content_type="application/json")
    assert response.status_code == 403


def test_a_submitted_report_is_not_changed_but_takes_an_addendum(demo, staff_tokyo):
    report = file_report(staff_tokyo)
    client = api_client(staff_tokyo)
    changed = client.patch(
        f"{REPORTS}{report.reference}/", {"narrative": "x"}, content_type="application/json"
    )
    assert changed.status_code == 409
    added = client.post(
        f"{REPORTS}{report.reference}/addenda",
        {"text": "録音があります。", "evidence": SimpleUploadedFile("call.png", png_bytes())},
    )
    assert added.status_code == 201, added.content
    assert added.json()["addendum"]["text"] == "録音があります。"
    assert [file["name"] for file in added.json()["stored"]] == ["call.png"]
    read = client.get(f"{REPORTS}{report.reference}/").json()
    assert [addendum["text"] for addendum in read["addenda"]] == ["録音があります。"]
    assert read["narrative"] == report.narrative


def test_evidence_is_checked_hashed_and_downloaded_only_by_who_reads_the_report(
    demo, staff_tokyo, staff_osaka, supervisor_tokyo
):
    client = api_client(staff_tokyo)
    draft = client.post(REPORTS, a_draft(), content_type="application/json").json()
    photo = png_bytes()
    upload = client.post(
        f"{REPORTS}{draft['draft_id']}/evidence",
        {
            "evidence": [
                SimpleUploadedFile("badge.png", photo, content_type="image/png"),
                SimpleUploadedFile(
                    "script.png", b"#!/bin/sh\nrm -rf /\n", content_type="image/png"
                ),
            ]
        },
    )
    assert upload.status_code == 201, upload.content
    (stored,) = upload.json()["stored"]
    assert stored["sha256"] == hashlib.sha256(photo).hexdigest()
    assert stored["content_type"] == "image/png"
    assert [rejection["name"] for rejection in upload.json()["rejected"]] == ["script.png"]

    download = client.get(stored["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == photo
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    # A draft's evidence is its reporter's alone; once submitted, her supervisor's too.
    assert api_client(supervisor_tokyo).get(stored["download"]).status_code == 404
    client.post(f"{REPORTS}{draft['draft_id']}/submit")
    assert api_client(supervisor_tokyo).get(stored["download"]).status_code == 200
    refused = api_client(staff_osaka).get(stored["download"])
    assert refused.status_code == 404
    assert refused["Content-Type"] == "application/problem+json"


def test_an_upload_with_no_acceptable_file_is_refused_with_the_reason(demo, staff_tokyo):
    client = api_client(staff_tokyo)
    draft = client.post(REPORTS, a_draft(), content_type="application/json").json()
    response = client.post(
        f"{REPORTS}{draft['draft_id']}/evidence",
        {"evidence": SimpleUploadedFile("notes.png", b"just text", content_type="image/png")},
    )
    assert response.status_code == 400
    assert errors_of(response)["evidence"][0].startswith("notes.png: ")
    nothing = client.post(f"{REPORTS}{draft['draft_id']}/evidence", {})
    assert nothing.status_code == 400 and "evidence" in errors_of(nothing)


def test_a_draft_is_its_reporter_s_alone(demo, staff_tokyo, supervisor_tokyo, manager):
    draft = file_report(staff_tokyo, submit=False)
    assert api_client(staff_tokyo).get(f"{REPORTS}{draft.public_id}/").status_code == 200
    for other in (supervisor_tokyo, manager):
        client = api_client(other)
        assert client.get(f"{REPORTS}{draft.public_id}/").status_code == 404
        assert client.post(f"{REPORTS}{draft.public_id}/submit").status_code == 404
        listed = client.get(REPORTS, {"status": "draft"}).json()["results"]
        assert str(draft.public_id) not in [row["draft_id"] for row in listed]


def test_a_report_is_named_by_its_reference_or_its_draft_id_and_nothing_else(demo, staff_tokyo):
    client = api_client(staff_tokyo)
    for key in ("CH-2026-99999", "42", "%00", "CH-2026-999999"):
        response = client.get(f"{REPORTS}{key}/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


# --- The list ------------------------------------------------------------------------------------


@pytest.fixture
def reports(demo, staff_tokyo, staff_osaka):
    """Three Tokyo reports and one from Osaka, oldest first."""
    return [
        file_report(staff_tokyo, narrative="受付で暴言を繰り返した。"),
        file_report(staff_tokyo, categories=("physical_attack",), injury=True, injury_details="腕"),
        file_report(staff_tokyo, categories=("unauthorized_recording",)),
        file_report(staff_osaka),
    ]


def references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


def test_the_list_is_what_she_reads_in_full_newest_first(reports, supervisor_tokyo, staff_osaka):
    tokyo = [report.reference for report in reversed(reports[:3])]
    listed = references(api_client(supervisor_tokyo).get(REPORTS, {"page_size": 100}))
    assert listed[:3] == tokyo
    assert reports[3].reference not in listed
    assert references(api_client(staff_osaka).get(REPORTS))[:1] == [reports[3].reference]


def test_the_list_filters_as_the_review_queue_does(reports, manager):
    client = api_client(manager)
    mine = {report.reference for report in reports}

    def filtered(**query) -> set[str]:
        return set(references(client.get(REPORTS, {"page_size": 100, **query}))) & mine

    assert filtered(severity="critical") == {reports[1].reference}
    assert filtered(category="unauthorized_recording") == {reports[2].reference}
    assert filtered(center="OSA01") == {reports[3].reference}
    assert filtered(q="暴言") == {reports[0].reference}
    assert filtered(q=reports[2].reference) == {reports[2].reference}
    today = timezone.localdate().isoformat()
    assert filtered(submitted_from=today, submitted_to=today) == mine
    assert filtered(status="closed") == set()
    bad = client.get(REPORTS, {"center": "NOPE1", "severity": "dreadful"})
    assert bad.status_code == 400 and {"center", "severity.0"} <= set(errors_of(bad))


def test_paging_on_skips_and_repeats_nothing_while_reports_are_added(reports, staff_tokyo):
    client = api_client(staff_tokyo)
    first = client.get(REPORTS, {"page_size": 2}).json()
    file_report(staff_tokyo)  # filed while she pages
    second = client.get(first["next"]).json()
    paged = [row["reference"] for row in first["results"] + second["results"]]
    assert (
        paged == [report.reference for report in reversed(reports[:3])] + [paged[3]]
        and paged[3] not in paged[:3]
    )


def test_the_list_costs_the_same_queries_for_one_row_and_a_full_page(demo, staff_tokyo):
    client = api_client(staff_tokyo)
    client.get(REPORTS)  # the token's first use is written once

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(REPORTS, {"page_size": 25, "q": "暴言"}).status_code == 200
        return len(queries)

    IncidentReport.objects.filter(reporter=staff_tokyo).update(reporter=demo["staff.osaka"])
    file_report(staff_tokyo, narrative="暴言")
    one = queries_for_page()
    for _ in range(25):
        file_report(staff_tokyo, narrative="暴言", categories=("verbal_abuse", "other"))
    full = queries_for_page()
    assert len(client.get(REPORTS, {"page_size": 25, "q": "暴言"}).json()["results"]) == 25
    assert one == full


def test_the_staff_care_contact_reads_a_support_request_and_nothing_of_the_incident(demo):
    support = file_report(
        demo["staff.tokyo"],
        support_requested=True,
        candidate_id_entered="SR81000001",
        demand="返金しろ",
        narrative="受付で大声を出し続けた。",
    )
    response = api_client(demo["care"], language="en").get(f"{REPORTS}{support.reference}/")
    assert response.status_code == 200
    body = response.json()
    assert body["reading"] == "support" and body["reference"] == support.reference
    assert body["reporter"] == demo["staff.tokyo"].staff_code and body["center"] == "TKY01"
    text = response.content.decode()
    for hidden in ("SR81000001", "返金", "大声", "narrative", "evidence"):
        assert hidden not in text, hidden
    listed = references(api_client(demo["care"]).get(REPORTS))
    assert support.reference not in listed


def test_the_reporter_reads_questions_and_events_as_her_page_shows_them(
    demo, staff_tokyo, supervisor_tokyo
):
    from incidents.services.triage import information_request, report_set_status

    report = file_report(staff_tokyo)
    information_request(report=report, by=supervisor_tokyo, question="録画はありますか？")
    report_set_status(report=report, by=supervisor_tokyo, status="under_review")
    report_set_status(report=report, by=supervisor_tokyo, status="closed", note="注意で対応済み")
    path = f"{REPORTS}{report.reference}/"

    hers = api_client(staff_tokyo).get(path).json()
    assert [q["question"] for q in hers["questions"]] == ["録画はありますか？"]
    assert hers["questions"][0]["asked_by"] is None
    assert [event["event"] for event in hers["timeline"]][-1] == "report_closed"
    assert "注意で対応済み" not in str(hers["timeline"])

    reviewer = api_client(supervisor_tokyo).get(path).json()
    assert reviewer["questions"][0]["asked_by"] == supervisor_tokyo.staff_code
    closed = [event for event in reviewer["timeline"] if event["event"] == "report_closed"]
    assert closed[0]["text"] == "注意で対応済み" and closed[0]["by"] == supervisor_tokyo.staff_code


@pytest.mark.parametrize("window", [1, 3, 7])
@pytest.mark.parametrize("reader", ["staff.tokyo", "supervisor.tokyo"])
def test_a_word_search_pages_alike_through_the_window_of_the_list(
    demo, staff_tokyo, monkeypatch, window, reader
):
    """A word search first reads the next reports of the list's order (its windows: of her
    own reports, or of every report for a reviewer) and only then the GIN index: pages of 4
    among reports where one in three holds the word are the same, row for row, with a window
    smaller than a page, a few pages long, or the whole."""
    for number in range(30):
        narrative = f"asked for a refund, #{number}" if number % 3 == 0 else f"shouted #{number}"
        file_report(staff_tokyo, narrative=narrative)
    client = api_client(demo[reader])

    def pages() -> list[list[str]]:
        found, following = [], f"{REPORTS}?q=refund&page_size=4"
        while following:
            response = client.get(following)
            found.append(references(response))
            following = response.json()["next"]
        return found

    monkeypatch.setattr("api.reports.ReportListPagination.window", 10**6)
    whole = pages()
    monkeypatch.setattr("api.reports.ReportListPagination.window", window)
    assert pages() == whole
    assert sum(map(len, whole)) >= 10 and len(whole) >= 3

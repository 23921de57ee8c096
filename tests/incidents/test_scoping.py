"""Who may open a report page and download its evidence. Outsiders get 404 (not 403), so a
reference number tells them nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents.services import report_attach_evidence, report_submit
from tests.helpers import client_for, file_report
from tests.samples import png_bytes

# Expected status for the Tokyo report (filed by staff.tokyo) and the Osaka one (staff.osaka).
MATRIX = {
    "staff.tokyo": (200, 404),
    "staff.osaka": (404, 200),
    "supervisor.tokyo": (200, 404),
    "supervisor.osaka": (404, 200),
    "manager": (200, 200),
    "legal": (200, 200),
    "admin": (404, 404),
    "outsider": (404, 404),
}


@pytest.fixture
def reports(staff_tokyo, staff_osaka) -> dict:
    made = {}
    for key, reporter in (("tokyo", staff_tokyo), ("osaka", staff_osaka)):
        draft = file_report(reporter, submit=False)
        stored, _rejected = report_attach_evidence(
            report=draft, files=[SimpleUploadedFile(f"{key}.png", png_bytes())], by=reporter
        )
        report = report_submit(report=draft, by=reporter)
        made[key] = (report, stored[0])
    return made


@pytest.mark.parametrize("username", list(MATRIX))
def test_report_pages_and_evidence_follow_the_scoping_matrix(demo, reports, username):
    client = client_for(demo[username])
    for (report, attachment), expected in zip(
        (reports["tokyo"], reports["osaka"]), MATRIX[username], strict=True
    ):
        page = client.get(f"/incidents/{report.reference}/")
        download = client.get(f"/incidents/evidence/{attachment.pk}/")
        assert (page.status_code, download.status_code) == (expected, expected), (
            username,
            report.center.code,
        )


def test_an_anonymous_visitor_is_sent_to_sign_in_for_pages_and_evidence(demo, reports):
    report, attachment = reports["tokyo"]
    client = client_for(None)
    for path in (f"/incidents/{report.reference}/", f"/incidents/evidence/{attachment.pk}/"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_reference_and_a_foreign_one_look_the_same(demo, reports, staff_osaka):
    client = client_for(staff_osaka, language="en")
    foreign = client.get(f"/incidents/{reports['tokyo'][0].reference}/")
    unknown = client.get("/incidents/CH-2026-999999/")
    assert foreign.status_code == unknown.status_code == 404


def test_drafts_are_seen_by_their_reporter_alone(demo, staff_tokyo, supervisor_tokyo, manager):
    draft = file_report(staff_tokyo, submit=False)
    assert client_for(staff_tokyo).get(f"/incidents/drafts/{draft.public_id}/").status_code == 200
    for other in (supervisor_tokyo, manager):
        response = client_for(other).get(f"/incidents/drafts/{draft.public_id}/")
        assert response.status_code == 404

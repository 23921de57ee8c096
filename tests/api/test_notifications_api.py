"""Her notifications through the API: notices about her own reports, and the escalations she
was told of in the portal; nobody else's."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.models import ReporterNotice
from incidents.services.triage import report_set_status
from tests.api.conftest import api_client
from tests.helpers import file_report

NOTICES = "/api/v1/notifications/notices/"
ESCALATIONS = "/api/v1/notifications/escalations/"


def reviewed_report(staff, supervisor):
    """A report whose review her supervisor started: a notice to her (the triage service)."""
    report = file_report(staff)
    report_set_status(report=report, by=supervisor, status="under_review")
    return report


def test_the_reporter_reads_the_notice_that_the_review_started(staff_tokyo, supervisor_tokyo):
    report = reviewed_report(staff_tokyo, supervisor_tokyo)
    notices = api_client(staff_tokyo, language="en").get(NOTICES).json()["results"]
    assert {
        "kind": "report_under_review",
        "label": "The review of your report started",
        "reference": report.reference,
        "read_at": None,
    }.items() <= notices[0].items()


def test_her_notices_are_hers_alone(staff_tokyo, staff_osaka, supervisor_tokyo):
    reviewed_report(staff_tokyo, supervisor_tokyo)
    mine = {n["id"] for n in api_client(staff_tokyo).get(NOTICES).json()["results"]}
    theirs = {n["id"] for n in api_client(staff_osaka).get(NOTICES).json()["results"]}
    assert mine and not mine & theirs
    assert mine == set(
        ReporterNotice.objects.filter(recipient=staff_tokyo).values_list("id", flat=True)
    )


def test_marking_them_all_read_as_the_notices_page_does(staff_tokyo, supervisor_tokyo):
    reviewed_report(staff_tokyo, supervisor_tokyo)
    client = api_client(staff_tokyo)
    unread = ReporterNotice.objects.filter(recipient=staff_tokyo, read_at=None).count()
    response = client.post("/api/v1/notifications/notices/read")
    assert response.json() == {"marked_read": unread}
    assert all(n["read_at"] for n in client.get(NOTICES).json()["results"])


def test_a_manager_reads_the_escalations_she_was_told_of(manager, staff_tokyo, staff_osaka):
    report = file_report(staff_tokyo, categories=("physical_attack",))
    told = api_client(manager).get(ESCALATIONS).json()["results"]
    assert report.reference in {n["reference"] for n in told}
    assert api_client(staff_osaka).get(ESCALATIONS).json()["results"] == []


def test_the_same_queries_for_one_line_and_a_full_page(staff_tokyo, supervisor_tokyo, manager):
    for _ in range(3):
        reviewed_report(staff_tokyo, supervisor_tokyo)
        file_report(staff_tokyo, categories=("physical_attack",))
    for user, url in ((staff_tokyo, NOTICES), (manager, ESCALATIONS)):
        client = api_client(user)
        client.get(url)  # the token's first use writes last_used_at
        counts = []
        for size in (1, 3):
            with CaptureQueriesContext(connection) as queries:
                client.get(url, {"page_size": size})
            counts.append(len(queries))
        assert len(client.get(url, {"page_size": 3}).json()["results"]) == 3
        assert counts[0] == counts[1], url

"""Escalations through the API: the list each recipient sees, acknowledging through the
inbox's service, constant query counts, and a cursor that holds while escalations arrive."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.models import Escalation, TimelineEvent
from incidents.services.escalation import escalation_acknowledge
from tests.api.conftest import api_client
from tests.helpers import client_for, file_report

LIST = "/api/v1/escalations/"


def critical_report(staff):
    """A physical attack: managers and legal are told at once (the seeded rules)."""
    return file_report(staff, categories=("physical_attack",))


def ids(response) -> list[int]:
    return [line["id"] for line in response.json()["results"]]


def test_a_manager_lists_the_escalation_of_a_new_report_to_act_on(manager, staff_tokyo):
    report = critical_report(staff_tokyo)
    lines = api_client(manager).get(LIST, {"state": "to_act_on"}).json()["results"]
    mine = [line for line in lines if line["reference"] == report.reference]
    assert mine and all(line["for_me"] for line in mine)
    assert mine[0]["severity"] == report.severity  # she reads the report in full


def test_a_support_contact_sees_neither_severity_nor_case_file(staff_tokyo, demo):
    """Who reads a report only as a support request learns no more from its escalation."""
    file_report(staff_tokyo, support_requested=True)
    care = demo["care"]
    lines = api_client(care).get(LIST).json()["results"]
    assert lines and all((line["severity"], line["case_file"]) == (None, None) for line in lines)


def test_the_list_is_the_inboxs_scope(staff_tokyo, supervisor_osaka, manager, legal):
    """Staff have no inbox (404, as the page); managers and legal see every escalation."""
    critical_report(staff_tokyo)
    assert api_client(staff_tokyo).get(LIST).status_code == 404
    assert client_for(staff_tokyo).get("/escalations/").status_code == 404
    seen = {ids(api_client(user).get(LIST, {"page_size": 100}))[0] for user in (manager, legal)}
    assert len(seen) == 1


def test_she_acknowledges_through_the_inbox_service(manager, legal, staff_tokyo):
    report = critical_report(staff_tokyo)
    # The escalation that tells managers and legal (the seeded rule for a physical attack).
    escalation = Escalation.objects.filter(report=report, notifications__recipient=legal).first()
    assert escalation.notifications.filter(recipient=manager).exists()
    response = api_client(manager).post(
        f"/api/v1/escalations/{escalation.pk}/acknowledge",
        {"note": "Called the center."},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["acknowledged_by"], body["for_me"]) == (manager.staff_code, False)
    escalation.refresh_from_db()
    assert (escalation.acknowledged_by, escalation.ack_note) == (manager, "Called the center.")
    assert TimelineEvent.objects.filter(report=report, kind="escalation_acknowledged").exists()
    # One acknowledgement answers for everyone told: legal has nothing left to act on for it.
    left = api_client(legal).get(LIST, {"state": "to_act_on"}).json()["results"]
    assert escalation.pk not in [line["id"] for line in left]


def test_an_escalation_she_was_not_told_of_is_not_found(supervisor_osaka, staff_tokyo):
    report = critical_report(staff_tokyo)
    escalation = Escalation.objects.filter(report=report).first()
    response = api_client(supervisor_osaka).post(
        f"/api/v1/escalations/{escalation.pk}/acknowledge", {}, content_type="application/json"
    )
    assert response.status_code == 404
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None


def test_the_state_filter_is_checked(manager):
    response = api_client(manager, language="en").get(LIST, {"state": "everything"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "state"


def test_the_same_queries_for_one_line_and_a_full_page(manager, staff_tokyo, staff_osaka):
    for staff in (staff_tokyo, staff_osaka, staff_tokyo):
        critical_report(staff)
    client = api_client(manager)
    client.get(LIST)  # the token's first use writes last_used_at
    counts = []
    for size in (1, 5):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, {"page_size": size})
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 12


def test_paging_holds_while_new_escalations_arrive(manager, staff_tokyo):
    for _ in range(3):
        critical_report(staff_tokyo)
    client = api_client(manager)
    before = ids(client.get(LIST, {"page_size": 100}))
    seen, page = [], client.get(LIST, {"page_size": 2}).json()
    while True:
        seen += [line["id"] for line in page["results"]]
        critical_report(staff_tokyo)  # newer than everything: it goes on top, not in between
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    assert seen == before


def test_overdue_escalations_are_marked_and_may_be_asked_for_alone(manager, staff_tokyo):
    report = critical_report(staff_tokyo)
    client = api_client(manager)
    assert client.get(LIST, {"overdue": "true"}).json()["results"] == []
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        late = client.get(LIST, {"overdue": "true"}).json()["results"]
    assert late and all(line["overdue"] for line in late)
    assert report.reference in {line["reference"] for line in late}


def test_each_line_of_a_page_says_whether_it_is_hers_to_acknowledge(manager, staff_tokyo):
    """Read for the page's lines after the page (selectors.escalations.mark_for_me)."""
    told = Escalation.objects.filter(notifications__recipient=manager).distinct()
    settled, waiting = [told.get(report=critical_report(staff_tokyo)) for _ in range(2)]
    escalation_acknowledge(escalation=settled, by=manager, note="Called the center.")
    lines = api_client(manager).get(LIST, {"page_size": 100}).json()["results"]
    for_me = {line["id"]: line["for_me"] for line in lines}
    assert (for_me[settled.pk], for_me[waiting.pk]) == (False, True)
    hers = ids(api_client(manager).get(LIST, {"state": "to_act_on", "page_size": 100}))
    assert waiting.pk in hers and settled.pk not in hers

"""The history, the access logs and the disclosure log are append-only in the database: the
portal's own connection (the role it runs as) cannot change or remove a line with raw SQL,
and a bulk update that bypasses the models is still recorded (pghistory's triggers)."""

import pghistory
import pgtrigger
import pytest
from django.db import DatabaseError, connection, transaction

from audit.services import disclosure_record
from incidents.models import CaseFile, IncidentReport
from incidents.models.retention import RetentionAction
from incidents.services.cases import case_file_log_access
from incidents.services.decisions import decision_propose
from tests.helpers import client_for, file_report, report_form_data
from tests.incidents.test_decisions import draft, revision

# Every table the audit trail is made of.
APPEND_ONLY_TABLES = [
    "incidents_incidentreportevent",
    "incidents_casefileevent",
    "incidents_candidateevent",
    "incidents_decisionevent",
    "policy_policyversionevent",
    "accounts_membershipevent",
    "incidents_casefileaccess",
    "incidents_checkinlookup",
    "audit_disclosurelog",
    "incidents_retentionaction",
]


@pytest.fixture
def case_file(staff_tokyo, legal):
    """A report (its history), a read of its case file and a disclosure: a line in each
    table."""
    file_report(staff_tokyo, candidate_id_entered="AO10000001")
    case_file = CaseFile.objects.get(candidate__candidate_id="AO10000001")
    case_file_log_access(case_file=case_file, user=legal)
    decision_propose(
        case_file=case_file, by=legal, expected_revision=revision(case_file), draft=draft()
    )
    disclosure_record(
        case_file=case_file,
        by=legal,
        recipient_kind="police",
        recipient_name="Shinjuku police station",
        legal_basis="laws_and_regulations",
        disclosed="Report and photo.",
    )
    client_for(staff_tokyo).post("/checkin/", {"candidate_id": "AO10000001"})
    RetentionAction.objects.create(kind="candidate_anonymised", case_file=case_file)
    return case_file


def _first_id(table: str) -> int:
    pk = "pgh_id" if table.endswith("event") else "id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk} FROM {table} ORDER BY {pk} DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    assert row, f"{table} has no line to try"
    return pk, row[0]


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {table} SET {pk} = {pk} WHERE {pk} = %s", "DELETE FROM {table} WHERE {pk} = %s"],
)
def test_the_portals_connection_cannot_change_or_remove_a_line(case_file, table, statement):
    pk, value = _first_id(table)
    with (
        pytest.raises(DatabaseError, match="append_only|append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table, pk=pk), [value])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {pk} = %s", [value])  # noqa: S608
        assert cursor.fetchone()[0] == 1


def test_who_made_a_change_can_be_neither_rewritten_nor_removed(staff_tokyo, legal):
    report = file_report(staff_tokyo)
    with pghistory.context(user=legal.pk):
        IncidentReport.objects.filter(pk=report.pk).update(severity="critical")
    context_id = _last_report_event(report).pgh_context_id
    assert context_id is not None
    rewrite = "UPDATE pghistory_context SET metadata = jsonb_set(metadata, '{user}', %s::jsonb)"
    for statement, params in (
        (f"{rewrite} WHERE id = %s", [str(staff_tokyo.pk), context_id]),
        ("DELETE FROM pghistory_context WHERE id = %s", [context_id]),
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, params)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT metadata->>'user' FROM pghistory_context WHERE id = %s", [context_id]
        )
        assert cursor.fetchone()[0] == str(legal.pk)


def _last_report_event(report):
    from django.apps import apps

    model = apps.get_model("incidents", "IncidentReportEvent")
    return model.objects.filter(pgh_obj_id=report.pk).order_by("-pgh_id").first()


def test_a_bulk_update_is_still_recorded(staff_tokyo, legal):
    """QuerySet.update() runs no model code: the history triggers record it all the same, and
    the audit view shows it as a change from what to what."""
    report = file_report(staff_tokyo, candidate_id_entered="AO10000002")
    before = _last_report_event(report)
    with pghistory.context(user=legal.pk):
        IncidentReport.objects.filter(pk=report.pk).update(severity="critical")
    after = _last_report_event(report)
    assert after.pgh_id > before.pgh_id and after.pgh_label == "update"
    assert after.severity == "critical"

    page = client_for(legal, language="en").get(
        "/audit/", {"record": report.reference, "action": "update"}
    )
    line = page.content.decode()
    assert page.status_code == 200
    assert legal.staff_code in line
    assert "Critical" in line and "→" in line


# The logs nothing in the portal ever scrubs: not even pgtrigger.ignore lets a change through.
NEVER_SCRUBBED = {
    "incidents_casefileaccess": "incidents.CaseFileAccess:append_only",
    "incidents_checkinlookup": "incidents.CheckinLookup:append_only",
    "audit_disclosurelog": "audit.DisclosureLog:append_only",
    "incidents_retentionaction": "incidents.RetentionAction:append_only",
    "incidents_casefileevent": "incidents.CaseFileEvent:append_only",
}


@pytest.mark.parametrize("table", NEVER_SCRUBBED)
def test_the_logs_refuse_a_change_even_when_the_session_asks_pgtrigger_to_look_away(
    case_file, table
):
    pk, value = _first_id(table)
    for statement in (f"UPDATE {table} SET {pk} = {pk}", f"DELETE FROM {table}"):  # noqa: S608
        with (
            pgtrigger.ignore(NEVER_SCRUBBED[table]),
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"{statement} WHERE {pk} = %s", [value])


def test_every_change_of_a_report_filed_through_the_form_names_who_and_where(staff_tokyo):
    # The submission writes inside savepoints (the draft, its submission), which carry no
    # context of their own: each write still names its user and page.
    client = client_for(staff_tokyo, language="en")
    data = report_form_data(staff_tokyo.memberships.get().center, candidate_id_entered="AO10000002")
    assert client.post("/incidents/new/", data).status_code == 302
    report = IncidentReport.objects.get(form_token=data["form_token"])

    events = list(pghistory.models.Events.objects.references(report))

    assert {event.pgh_label for event in events} >= {"insert", "update"}
    assert len(events) >= 4  # the draft, its behaviour, its submission, its reference
    for event in events:
        assert event.pgh_context == {"user": staff_tokyo.pk, "url": "/incidents/new/"}, event

"""Mass assignment: fields a form does not offer, posted anyway (reporter, status, reference,
role, is_staff, another center, another candidate, who proposed or approved), are ignored or
refused; nothing changes that the form does not offer."""

import uuid

import pytest

from accounts.models import Membership, TestCenter, User
from incidents.models import CaseFile, Decision, IncidentReport
from tests.helpers import client_for, file_report, report_form_data


@pytest.fixture
def osaka(demo):
    return TestCenter.objects.get(code="OSA01")


@pytest.fixture
def tokyo(demo):
    return TestCenter.objects.get(code="TKY01")


def extras(demo, osaka) -> dict:
    other_candidate = file_report(demo["staff.osaka"], candidate_id_entered="SM00000002")
    return {
        "reporter": demo["staff.osaka"].pk,
        "reporter_id": demo["staff.osaka"].pk,
        "status": "closed",
        "reference": "CH-2001-000001",
        "role": "admin",
        "is_staff": "on",
        "is_superuser": "on",
        "candidate": other_candidate.candidate_id,
        "candidate_id": other_candidate.candidate_id,
        "suggested_severity": "low",
        "policy_version": "999",
        "submitted_at": "2001-01-01T00:00",
        "id": "1",
        "public_id": str(uuid.uuid4()),
    }


def test_the_report_form_ignores_fields_it_does_not_offer(demo, staff_tokyo, tokyo, osaka):
    data = report_form_data(tokyo, candidate_id_entered="SM00000001") | extras(demo, osaka)
    response = client_for(staff_tokyo).post("/incidents/new/", data)
    assert response.status_code == 302
    report = IncidentReport.objects.filter(reporter=staff_tokyo).latest("pk")
    assert report.status == "submitted" and report.reference != "CH-2001-000001"
    assert report.reporter == staff_tokyo and report.center == tokyo
    assert report.candidate.candidate_id == "SM00000001"
    assert report.suggested_severity != "low" or report.categories.count() == 0
    assert report.submitted_at.year > 2001
    staff_tokyo.refresh_from_db()
    assert not staff_tokyo.is_staff and not staff_tokyo.is_superuser


def test_staff_cannot_file_into_a_center_she_does_not_belong_to(demo, staff_tokyo, osaka):
    before = IncidentReport.objects.filter(center=osaka).count()
    client = client_for(staff_tokyo)
    response = client.post("/incidents/new/", report_form_data(osaka))
    assert response.status_code in (200, 400, 422)
    assert "</html>" in response.content.decode()
    response = client.post("/incidents/new/autosave/", report_form_data(osaka, action=None))
    assert response.status_code == 409 and response.json()["error"] == "refused"
    assert IncidentReport.objects.filter(center=osaka).count() == before
    assert not IncidentReport.objects.filter(reporter=staff_tokyo, center=osaka).exists()


def test_the_autosave_ignores_fields_it_does_not_offer(demo, staff_tokyo, tokyo, osaka):
    data = report_form_data(tokyo, action=None, narrative="Autosaved.") | extras(demo, osaka)
    response = client_for(staff_tokyo).post("/incidents/new/autosave/", data)
    assert response.status_code == 200 and response.json()["saved"] is True
    draft = IncidentReport.objects.get(reporter=staff_tokyo, narrative="Autosaved.")
    assert (draft.status, draft.reference, draft.submitted_at) == ("draft", None, None)
    assert draft.center == tokyo and draft.candidate is None


def test_a_draft_of_someone_else_cannot_be_saved_into(demo, staff_tokyo, staff_osaka):
    theirs = file_report(staff_osaka, submit=False, narrative="Osaka's draft.")
    data = report_form_data(None, action=None, narrative="Overwritten.")
    data["public_id"] = str(theirs.public_id)
    response = client_for(staff_tokyo).post(f"/incidents/drafts/{theirs.public_id}/autosave/", data)
    assert response.status_code in (401, 403, 404)
    theirs.refresh_from_db()
    assert theirs.narrative == "Osaka's draft."


def test_the_profile_changes_only_her_language(demo, staff_tokyo, osaka):
    client = client_for(staff_tokyo)
    before = User.objects.filter(pk=staff_tokyo.pk).values().get()
    memberships = list(Membership.objects.filter(user=staff_tokyo).values())
    data = {
        "language": "en",
        "role": "admin",
        "is_staff": "on",
        "is_superuser": "on",
        "staff_code": "ADM-0001",
        "username": "boss",
        "email": "boss@evil.example",
        "center": osaka.pk,
        "last_name": "Boss",
    }
    response = client.post("/accounts/profile/", data)
    assert response.status_code == 302
    after = User.objects.filter(pk=staff_tokyo.pk).values().get()
    changed = {key for key in before if before[key] != after[key]}
    assert changed <= {"language", "language_chosen"}
    assert list(Membership.objects.filter(user=staff_tokyo).values()) == memberships


def test_the_decision_form_cannot_put_a_refusal_in_force_or_name_its_approver(
    demo, staff_tokyo, supervisor_tokyo, manager, tokyo
):
    file_report(staff_tokyo, candidate_id_entered="SM00000003")
    case_file = CaseFile.objects.get(candidate__candidate_id="SM00000003")
    data = {
        "revision": case_file.revision,
        "outcome": "testing_refused",
        "demand_legitimacy": "no",
        "manner": "inappropriate",
        "categories": ["verbal_abuse"],
        "rationale": "Shouted.",
        "starts_on": "2026-01-01",
        "ends_on": "2027-01-01",
        "scope": "all_centers",
        "state": "in_force",
        "approved_by": manager.pk,
        "decided_by": manager.pk,
        "approved_at": "2026-01-01T00:00",
        "proposed_by": manager.pk,
        "case_file": CaseFile.objects.exclude(pk=case_file.pk).first().pk,
    }
    response = client_for(supervisor_tokyo).post(f"/cases/{case_file.pk}/decisions/", data)
    assert response.status_code == 302
    decision = Decision.objects.latest("pk")
    assert decision.case_file == case_file
    assert decision.state == "proposed"
    assert decision.proposed_by == supervisor_tokyo and decision.decided_by is None


def test_triage_forms_change_only_what_they_offer(demo, staff_tokyo, staff_osaka, supervisor_tokyo):
    report = file_report(staff_tokyo)
    osaka_report = file_report(staff_osaka)
    client = client_for(supervisor_tokyo)
    client.post(
        f"/incidents/{report.reference}/review/status/",
        {"status": "under_review", "reporter": staff_osaka.pk, "reference": "CH-2001-000002"},
    )
    client.post(
        f"/incidents/{report.reference}/review/note/",
        {"text": "Mine.", "author": staff_osaka.pk, "report": osaka_report.pk},
    )
    report.refresh_from_db()
    assert (report.status, report.reporter, report.reference[:7]) == (
        "under_review",
        staff_tokyo,
        report.reference[:7],
    )
    assert report.reference != "CH-2001-000002"
    note = report.notes.get(text="Mine.")
    assert note.author == supervisor_tokyo
    assert not osaka_report.notes.exists()

"""The disclosure log on the case file (APPI art. 29): legal and managers record each hand-over
to the police, the test organiser or a lawyer and read the log; nobody else sees it or
learns that it exists; a line is written with who and when and is never changed, not even
through Django admin."""

import pytest
from django.utils import timezone

from audit.models import DisclosureLog
from audit.services import DisclosureError, disclosure_record
from incidents.models import CaseFile
from incidents.services.decisions import decision_propose
from tests.helpers import DEMO_ROLES, client_for, file_report
from tests.incidents.test_decisions import draft, revision

WHO_RECORDS = {"manager", "legal"}

FORM = {
    "recipient_kind": "police",
    "recipient_name": "新宿警察署 生活安全課 山田",
    "legal_basis": "laws_and_regulations",
    "legal_basis_detail": "捜査関係事項照会書 第123号",
    "disclosed": "報告書 CH と写真2枚",
}


@pytest.fixture
def case_file(staff_tokyo):
    file_report(staff_tokyo, candidate_id_entered="DL30000001")
    return CaseFile.objects.get(candidate__candidate_id="DL30000001")


def _form(**overrides) -> dict:
    moment = timezone.localtime() - timezone.timedelta(hours=1)
    return {**FORM, "disclosed_at": moment.strftime("%Y-%m-%dT%H:%M"), **overrides}


@pytest.mark.parametrize("role", [*DEMO_ROLES, "outsider"])
def test_only_legal_and_managers_record_disclosures(demo, case_file, role):
    response = client_for(demo[role]).post(f"/cases/{case_file.pk}/disclosures/", _form())
    if role in WHO_RECORDS:
        assert response.status_code == 302
        assert response["Location"].endswith(f"/cases/{case_file.pk}/#disclosures")
        assert DisclosureLog.objects.filter(recorded_by=demo[role]).count() == 1
    else:
        assert response.status_code == 404
        assert not DisclosureLog.objects.exists()


@pytest.mark.parametrize("role", ["supervisor.tokyo", "manager", "legal"])
def test_the_log_is_on_the_case_file_for_those_who_record_it(demo, case_file, legal, role):
    disclosure_record(case_file=case_file, by=legal, **{**FORM, "recipient_name": "警視庁"})
    page = client_for(demo[role]).get(f"/cases/{case_file.pk}/").content.decode()
    shown = role in WHO_RECORDS
    assert ('id="disclosures"' in page) is shown
    assert ("警視庁" in page) is shown and ("捜査関係事項照会書" in page) is shown


def test_a_line_says_who_and_when(case_file, legal):
    before = timezone.now()
    client_for(legal).post(f"/cases/{case_file.pk}/disclosures/", _form())
    disclosure = DisclosureLog.objects.get(case_file=case_file)
    assert disclosure.recorded_by == legal and disclosure.recorded_at >= before
    assert disclosure.disclosed_at < before and disclosure.legal_basis == "laws_and_regulations"
    page = client_for(legal, language="en").get(f"/cases/{case_file.pk}/").content.decode()
    assert "Required by laws and regulations" in page and legal.staff_code in page


def test_a_refused_form_keeps_what_was_typed_and_writes_nothing(case_file, legal):
    response = client_for(legal, language="en").post(
        f"/cases/{case_file.pk}/disclosures/",
        _form(legal_basis="other", legal_basis_detail="", recipient_name="弁護士法人ABC"),
    )
    assert response.status_code == 422
    content = response.content.decode()
    assert "Explain the legal basis" in content and "弁護士法人ABC" in content
    future = (timezone.localtime() + timezone.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(legal).post(
        f"/cases/{case_file.pk}/disclosures/", _form(disclosed_at=future)
    )
    assert response.status_code == 422
    assert not DisclosureLog.objects.exists()


def test_the_service_asks_the_policy_too(case_file, supervisor_tokyo):
    with pytest.raises(DisclosureError):
        disclosure_record(case_file=case_file, by=supervisor_tokyo, **FORM)


def test_a_referral_to_the_police_prompts_a_record(case_file, legal):
    decision_propose(
        case_file=case_file,
        by=legal,
        expected_revision=revision(case_file),
        draft=draft("police_referral"),
    )
    page = client_for(legal).get(f"/cases/{case_file.pk}/").content.decode()
    assert "data-disclosure-prompt" in page and "?disclose=police#disclosures" in page
    prefilled = client_for(legal).get(f"/cases/{case_file.pk}/?disclose=police").content.decode()
    assert 'value="police" selected' in prefilled


def test_nobody_changes_a_line_through_django_admin(case_file, legal, admin):
    disclosure = disclosure_record(case_file=case_file, by=legal, **FORM)
    client = client_for(admin)
    change = f"/admin/audit/disclosurelog/{disclosure.pk}/change/"
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert "新宿警察署" not in page.content.decode()  # what was handed over stays on the case file
    assert client.post(change, {**FORM, "recipient_name": "別人"}).status_code == 403
    assert client.post(f"/admin/audit/disclosurelog/{disclosure.pk}/delete/").status_code == 403
    assert client.get("/admin/audit/disclosurelog/add/").status_code == 403
    disclosure.refresh_from_db()
    assert disclosure.recipient_name == FORM["recipient_name"]

"""The company's name, contact and route to contest a decision on the notice to a candidate:
one row that an admin edits in Django admin, shown in each section of the notice in that
section's language, never naming a member of staff."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, transaction

from harassment_portal.demo_notice import DEMO_NOTICE_CONTACT
from incidents.models import CaseFile
from incidents.services.decisions import decision_approve, decision_propose
from policy.models import CandidateNoticeSettings
from tests.helpers import client_for, file_report
from tests.incidents.test_decisions import draft, revision

ADMIN_URL = "/admin/policy/candidatenoticesettings/"
CHANGE_URL = f"{ADMIN_URL}1/change/"


@pytest.fixture
def notice_url(staff_tokyo, supervisor_tokyo, manager) -> str:
    """The notice of a refusal of testing that a manager approved."""
    file_report(staff_tokyo, candidate_id_entered="SR60000001", narrative="受付で暴言。")
    case_file = CaseFile.objects.get(candidate__candidate_id="SR60000001")
    refusal = decision_propose(
        case_file=case_file,
        by=supervisor_tokyo,
        expected_revision=revision(case_file),
        draft=draft("testing_refused"),
    )
    decision_approve(
        decision=refusal, by=manager, reason="Agreed.", expected_revision=revision(case_file)
    )
    return f"/cases/{case_file.pk}/decisions/{refusal.pk}/notice/"


def sections_of(response) -> dict[str, str]:
    """The notice's Japanese and English sections, by language."""
    page = response.content.decode()
    return dict(re.findall(r'<section lang="(ja|en)"[^>]*>(.*?)</section>', page, re.S))


def contact_form(**changes) -> dict[str, str]:
    return {**DEMO_NOTICE_CONTACT, **changes}


def test_the_notice_gives_the_company_its_contact_and_the_appeal_route_in_each_language(
    notice_url, supervisor_tokyo
):
    response = client_for(supervisor_tokyo, language="en").get(notice_url)
    assert response.status_code == 200
    sections = sections_of(response)
    for language, other in (("ja", "en"), ("en", "ja")):
        section = sections[language]
        for field in ("company_name", "hours", "appeal_route", "appeal_deadline"):
            assert DEMO_NOTICE_CONTACT[f"{field}_{language}"] in section, (language, field)
            assert DEMO_NOTICE_CONTACT[f"{field}_{other}"] not in section, (language, field)
        for line in DEMO_NOTICE_CONTACT[f"postal_address_{language}"].splitlines():
            assert line in section
        assert DEMO_NOTICE_CONTACT["phone"] in section and DEMO_NOTICE_CONTACT["email"] in section
    assert "この決定に異議がある場合" in sections["ja"] and "期限：" in sections["ja"]
    assert "If you disagree with this decision" in sections["en"] and "Deadline:" in sections["en"]
    assert 'id="notice-contact-missing"' not in response.content.decode()


def test_an_admin_edit_changes_the_notice_in_both_languages(notice_url, admin, supervisor_tokyo):
    client = client_for(admin, language="en")
    response = client.post(
        CHANGE_URL,
        contact_form(
            company_name_ja="株式会社テスト試験センター",
            company_name_en="Test Exam Centers K.K.",
            phone="06-1111-2222",
            appeal_route_ja="書面で異議を申し立ててください。\r\n第三者委員会が審査します。",
            appeal_route_en="Write to us.\r\nAn independent panel reviews it.",
            appeal_deadline_ja="通知から14日以内",
            appeal_deadline_en="Within 14 days of this notice",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    sections = sections_of(client_for(supervisor_tokyo).get(notice_url))
    assert "株式会社テスト試験センター" in sections["ja"] and "通知から14日以内" in sections["ja"]
    assert "書面で異議を申し立ててください。<br>第三者委員会が審査します。" in sections["ja"]
    assert "Test Exam Centers K.K." in sections["en"] and "Within 14 days" in sections["en"]
    assert "Write to us.<br>An independent panel reviews it." in sections["en"]
    assert "06-1111-2222" in sections["ja"] and "06-1111-2222" in sections["en"]
    for old in (DEMO_NOTICE_CONTACT["company_name_ja"], DEMO_NOTICE_CONTACT["company_name_en"]):
        assert old not in sections["ja"] + sections["en"]


def test_the_admin_refuses_a_staff_members_full_name_on_the_notice(admin, staff_tokyo):
    # Candidates demand staff names; the notice must not hand one over (DESIGN.md §8).
    client = client_for(admin, language="en")
    full_name = f"{staff_tokyo.last_name} {staff_tokyo.first_name}"
    response = client.post(CHANGE_URL, contact_form(hours_ja=f"担当：{full_name}"))
    assert response.status_code == 200
    assert "Name no member of staff" in response.content.decode()
    assert full_name not in CandidateNoticeSettings.objects.get().hours_ja


def test_there_is_one_row_the_admin_list_leads_to_it_and_it_is_never_deleted(admin):
    client = client_for(admin, language="en")
    response = client.get(ADMIN_URL)
    assert (response.status_code, response["Location"]) == (302, CHANGE_URL)
    assert client.get(f"{ADMIN_URL}add/").status_code == 403
    assert client.post(f"{ADMIN_URL}1/delete/", {"post": "yes"}).status_code == 403
    assert CandidateNoticeSettings.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        CandidateNoticeSettings.objects.create(id=2, **DEMO_NOTICE_CONTACT)


def test_the_admin_page_reads_in_japanese(admin):
    page = client_for(admin, language="ja").get(CHANGE_URL).content.decode()
    for words in (
        "受験者への通知の設定",
        "会社名（日本語）",
        "決定への異議申立て",
        "受付時間（英語）",
    ):
        assert words in page, words
    assert "company name" not in page.lower()


def test_a_first_admin_adds_the_row_when_none_was_seeded(admin):
    CandidateNoticeSettings.objects.all().delete()
    client = client_for(admin, language="en")
    assert client.get(ADMIN_URL)["Location"].endswith("/add/")
    assert client.post(f"{ADMIN_URL}add/", contact_form()).status_code == 302
    assert CandidateNoticeSettings.objects.get().pk == 1


def test_without_settings_the_notice_still_prints_and_tells_staff_to_ask_an_admin(
    notice_url, supervisor_tokyo
):
    CandidateNoticeSettings.objects.all().delete()
    response = client_for(supervisor_tokyo, language="en").get(notice_url)
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<p class="no-print" role="alert" id="notice-contact-missing">', page)
    assert "Customer Harassment Response Desk" in sections_of(response)["en"]

"""The candidate's subject-access export (issue 11, item 7): legal and managers, from the case
file, as JSON and a printable page; staff only as staff codes, other people redacted; every
export in the disclosure log."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from incidents.models import EventKind
from incidents.services.decisions import DecisionDraft, decision_propose
from policy.models import Category
from tests.helpers import file_report

from .test_retention import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(staff_tokyo, supervisor_tokyo, staff_osaka):
    """A candidate whose report names the supervisor (in full and by family name), a
    colleague's username and e-mail, a witness and another candidate."""
    other = file_report(
        staff_osaka, candidate_id_entered="OTHER0002", candidate_name="高橋 健"
    ).candidate
    report = file_report(
        staff_tokyo,
        candidate_id_entered="SAR0001",
        candidate_name="田中 一郎",
        candidate_contact="090-1234-5678",
        demand="責任者の鈴木由美を出せ。",
        narrative=(
            "He shouted at 鈴木 由美 and then at 佐藤さん for forty minutes. He said his friend"
            " 高橋 健 (OTHER0002) would come too. Ask staff.osaka or"
            " staff.osaka@example.com."
        ),
        witnesses="Witness: 山本 花子, 03-0000-0000",
        injury=True,
        injury_details="佐藤 bruised her arm.",
    )
    decision = decision_propose(
        case_file=report.case_file,
        by=supervisor_tokyo,
        expected_revision=report.case_file.revision,
        draft=DecisionDraft(
            outcome="caution",
            demand_legitimacy="no",
            manner="inappropriate",
            rationale="鈴木 由美 was shouted at; 佐藤 too.",
            categories=list(Category.objects.filter(code="verbal_abuse")),
        ),
    )
    return {"report": report, "case_file": report.case_file, "other": other, "decision": decision}


def _json(user, case):
    response = signed_in(user).get(
        reverse("cases:subject_access_json", args=[case["case_file"].pk])
    )
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"] == 'attachment; filename="subject-access-SAR0001.json"'
    return json.loads(response.content)


def test_legal_and_managers_export_it_and_everyone_else_gets_404(
    case, legal, manager, supervisor_tokyo, staff_tokyo, admin, outsider
):
    for user in (legal, manager):
        assert _json(user, case)["candidate"]["candidate_id"] == "SAR0001"
        page = signed_in(user).get(reverse("cases:subject_access", args=[case["case_file"].pk]))
        assert page.status_code == 200
    for user in (supervisor_tokyo, staff_tokyo, admin, outsider):
        for name in ("cases:subject_access", "cases:subject_access_json"):
            response = signed_in(user).get(reverse(name, args=[case["case_file"].pk]))
            assert response.status_code == 404, (user.username, name)


def test_the_json_holds_the_candidate_their_reports_and_decisions(case, legal):
    export = _json(legal, case)
    assert set(export) == {"generated_at", "candidate", "case_file", "reports", "decisions"}
    assert export["candidate"]["name"] == "田中 一郎"
    assert export["candidate"]["contact"] == "090-1234-5678"
    (report,) = export["reports"]
    assert report["reference"] == case["report"].reference
    assert report["center"]["code"] == "TKY01"
    assert [category["code"] for category in report["categories"]] == ["verbal_abuse"]
    assert report["demand"] and report["narrative"] and report["submitted_at"]
    (decision,) = export["decisions"]
    assert decision["outcome"] == "caution" and decision["in_force"] is True
    assert decision["policy_version"] >= 1


def test_staff_appear_only_as_staff_codes(case, legal, staff_tokyo, supervisor_tokyo, staff_osaka):
    export = _json(legal, case)
    (report,) = export["reports"]
    assert report["reported_by"] == staff_tokyo.staff_code
    assert export["decisions"][0]["proposed_by"] == supervisor_tokyo.staff_code
    text = json.dumps(export, ensure_ascii=False)
    for word in ("鈴木", "由美", "佐藤", "staff.osaka", "@example.com"):
        assert word not in text, word
    assert (
        f"He shouted at {supervisor_tokyo.staff_code} and then at {staff_tokyo.staff_code}さん"
        in (report["narrative"])
    )
    assert f"責任者の{supervisor_tokyo.staff_code}を出せ" in report["demand"]
    assert staff_osaka.staff_code in report["narrative"]


def test_other_peoples_data_is_left_out(case, legal):
    text = json.dumps(_json(legal, case), ensure_ascii=False)
    assert "高橋" not in text and "OTHER0002" not in text  # another candidate
    assert "山本" not in text and "03-0000-0000" not in text  # a witness
    assert "bruised" not in text  # a staff member's injury is her health data
    assert "[第三者]" in text  # the Japanese of "[other person]": the request was in Japanese


def test_the_printable_page_shows_the_same_with_codes_not_names(case, legal, supervisor_tokyo):
    page = signed_in(legal, language="en").get(
        reverse("cases:subject_access", args=[case["case_file"].pk])
    )
    html = page.content.decode()
    assert "田中 一郎" in html and case["report"].reference in html
    assert supervisor_tokyo.staff_code in html
    assert "鈴木" not in html and "山本" not in html


def test_every_export_is_in_the_disclosure_log_and_on_the_timeline(case, legal):
    from audit.models import DisclosureLog

    case_file = case["case_file"]
    _json(legal, case)
    signed_in(legal).get(reverse("cases:subject_access", args=[case_file.pk]))
    logged = DisclosureLog.objects.filter(case_file=case_file)
    assert logged.count() == 2
    assert all(row.recorded_by == legal for row in logged)
    assert all("art. 33" in row.legal_basis_detail for row in logged)
    events = case_file.timeline.filter(kind=EventKind.SUBJECT_ACCESS_EXPORTED)
    assert events.count() == 2


def test_the_case_file_offers_the_export_to_legal_only_where_allowed(case, legal, supervisor_tokyo):
    url = reverse("cases:detail", args=[case["case_file"].pk])
    assert reverse("cases:subject_access_json", args=[case["case_file"].pk]) in (
        signed_in(legal).get(url).content.decode()
    )
    page = signed_in(supervisor_tokyo).get(url)
    assert page.status_code == 200
    assert "subject-access" not in page.content.decode()


def test_a_later_export_asks_for_her_password_first_and_records_nothing_before(case, legal):
    from datetime import timedelta

    import time_machine
    from django.conf import settings
    from django.utils import timezone

    from audit.models import DisclosureLog

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in(legal)
    url = reverse("cases:subject_access_json", args=[case["case_file"].pk])
    later = start + timedelta(seconds=settings.REAUTH_MAX_AGE_SECONDS + 60)
    with time_machine.travel(later, tick=False):
        response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/confirm/")
    assert not DisclosureLog.objects.filter(case_file=case["case_file"]).exists()

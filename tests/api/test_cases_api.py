"""Case files and decisions over the API, for the reviewers who may see them: the list, one
file with its timeline as the reader may see it, proposals, and the two-person rule with the
web's password confirmation before an approval."""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.sessions import CONFIRMED_AT
from incidents.models import CaseFile, CaseFileAccess, Decision
from incidents.services.cases import case_file_for_candidate_id
from incidents.services.decisions import decision_approve, decision_propose
from incidents.services.triage import note_add
from tests.api.conftest import api_client
from tests.helpers import client_for, file_report
from tests.incidents.test_decisions import draft, revision

CASE_FILES = "/api/v1/case-files/"


@pytest.fixture
def shared(demo, staff_tokyo, staff_osaka):
    """A candidate reported in Tokyo and in Osaka."""
    file_report(staff_tokyo, candidate_id_entered="SR82000001", narrative="東京での暴言。")
    file_report(staff_osaka, candidate_id_entered="SR82000001", narrative="大阪での暴言。")
    return CaseFile.objects.get(candidate__candidate_id="SR82000001")


@pytest.fixture
def tokyo(demo, staff_tokyo):
    file_report(staff_tokyo, candidate_id_entered="SR82000002")
    return CaseFile.objects.get(candidate__candidate_id="SR82000002")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_each_supervisor_lists_the_case_files_of_her_centers(
    shared, tokyo, supervisor_tokyo, supervisor_osaka, manager
):
    assert {shared.pk, tokyo.pk} <= set(ids(api_client(supervisor_tokyo).get(CASE_FILES)))
    osaka = ids(api_client(supervisor_osaka).get(CASE_FILES, {"page_size": 100}))
    assert shared.pk in osaka and tokyo.pk not in osaka
    row = next(
        row
        for row in api_client(manager)
        .get(CASE_FILES, {"candidate_id": "sr82000001"})
        .json()["results"]
    )
    assert row["candidate_id"] == "SR82000001"
    assert row["report_count"] == 2
    assert row["restricted"] is False


@pytest.mark.parametrize("role", ["staff.tokyo", "care", "admin", "outsider"])
def test_who_reviews_nothing_has_no_case_files(demo, shared, role):
    client = api_client(demo[role])
    assert client.get(CASE_FILES).status_code == 404
    assert client.get(f"{CASE_FILES}{shared.pk}/").status_code == 404


def test_another_center_s_report_is_a_summary_line_and_her_notes_stay_home(
    shared, supervisor_tokyo, supervisor_osaka
):
    tokyo_report = shared.candidate.reports.get(center__code="TKY01")
    note_add(report=tokyo_report, by=supervisor_tokyo, text="東京の内部メモ")
    note_add(case_file=shared, by=supervisor_tokyo, text="両センター向け")
    response = api_client(supervisor_osaka).get(f"{CASE_FILES}{shared.pk}/")
    assert response.status_code == 200
    timeline = response.json()["timeline"]
    summary = next(line for line in timeline if line["kind"] == "report_summary")
    assert summary["center"] == "TKY01" and summary["reference"] is None and summary["at"] is None
    assert summary["categories"] == ["verbal_abuse"]
    text = response.content.decode()
    for hidden in (tokyo_report.reference, "東京での暴言", "東京の内部メモ"):
        assert hidden not in text, hidden
    assert "両センター向け" in text and "大阪での暴言" not in text  # a line, not the report
    full = api_client(supervisor_tokyo).get(f"{CASE_FILES}{shared.pk}/").content.decode()
    assert tokyo_report.reference in full and "東京の内部メモ" in full


def test_reading_a_case_file_is_recorded_as_on_the_web(shared, legal):
    api_client(legal).get(f"{CASE_FILES}{shared.pk}/")
    assert CaseFileAccess.objects.filter(case_file=shared, user=legal).count() == 1


def decide(client, case_file, **values):
    body = {
        "revision": revision(case_file),
        "outcome": "caution",
        "demand_legitimacy": "no",
        "manner": "inappropriate",
        "categories": ["verbal_abuse"],
        "rationale": "40分間の暴言。",
        **values,
    }
    return client.post(
        f"{CASE_FILES}{case_file.pk}/decisions/", body, content_type="application/json"
    )


def test_a_caution_is_in_force_at_once(tokyo, supervisor_tokyo):
    response = decide(api_client(supervisor_tokyo), tokyo)
    assert response.status_code == 201, response.content
    decision = response.json()
    assert decision["state"] == "in_force"
    assert decision["proposed_by"] == supervisor_tokyo.staff_code
    assert decision["categories"] == ["verbal_abuse"]
    listed = api_client(supervisor_tokyo).get(f"{CASE_FILES}{tokyo.pk}/decisions/").json()
    assert [row["id"] for row in listed] == [decision["id"]]


def test_a_decision_on_an_old_revision_is_refused_and_nothing_is_lost(tokyo, supervisor_tokyo):
    stale = revision(tokyo)
    decide(api_client(supervisor_tokyo), tokyo)
    response = decide(api_client(supervisor_tokyo), tokyo, revision=stale)
    assert response.status_code == 409
    assert Decision.objects.filter(case_file=tokyo).count() == 1


def test_a_refusal_needs_its_period_and_scope(tokyo, supervisor_tokyo):
    response = decide(api_client(supervisor_tokyo), tokyo, outcome="testing_refused")
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"starts_on", "ends_on", "scope"} <= fields


@pytest.fixture
def refusal(tokyo, supervisor_tokyo):
    return decision_propose(
        case_file=tokyo,
        by=supervisor_tokyo,
        expected_revision=revision(tokyo),
        draft=draft("testing_refused"),
    )


def test_the_list_marks_the_files_with_a_refusal_in_force(refusal, shared, tokyo, manager):
    """Read for the page's files after the page (selectors.cases.mark_restricted): the file
    with the refusal in force is marked, on the API's list and on the web's, and only it."""
    decision_approve(
        decision=refusal, by=manager, reason="同意します。", expected_revision=revision(tokyo)
    )
    rows = api_client(manager).get(CASE_FILES, {"candidate_id": "SR8200000"}).json()["results"]
    assert {row["candidate_id"]: row["restricted"] for row in rows} == {
        "SR82000001": False,
        "SR82000002": True,
    }
    page = client_for(manager, language="en").get("/cases/", {"q": "SR8200000"}).content.decode()
    badges = {
        candidate: "Testing refused" in row
        for candidate, row in re.findall(r'data-case-file="(SR\d+)">(.*?)</tr>', page, re.S)
    }
    assert badges == {"SR82000001": False, "SR82000002": True}


def approve(client, refusal, verb="approve"):
    return client.post(
        f"{CASE_FILES}{refusal.case_file_id}/decisions/{refusal.pk}/{verb}",
        {"revision": revision(refusal.case_file), "reason": "同意します。"},
        content_type="application/json",
    )


def test_a_token_never_approves_a_refusal(refusal, manager):
    response = approve(api_client(manager), refusal)
    assert response.status_code == 403
    assert response.json()["code"] == "confirmation_required"
    refusal.refresh_from_db()
    assert refusal.state == "proposed"


def test_a_session_approves_after_a_recent_password_confirmation(refusal, manager):
    browser = client_for(manager)
    session = browser.session
    session[CONFIRMED_AT] = int(time.time()) - settings.REAUTH_MAX_AGE_SECONDS - 1
    session.save()
    assert approve(browser, refusal).status_code == 403
    session[CONFIRMED_AT] = int(time.time())
    session.save()
    response = approve(browser, refusal)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "in_force" and response.json()["decided_by"]
    assert approve(browser, refusal).status_code == 409  # decided already


def test_the_proposer_and_a_supervisor_may_not_decide_a_proposal(
    tokyo, refusal, supervisor_tokyo, manager
):
    assert approve(api_client(supervisor_tokyo), refusal, "reject").status_code == 403
    own = decision_propose(
        case_file=tokyo,
        by=manager,
        expected_revision=revision(tokyo),
        draft=draft("legal_action"),
    )
    assert approve(api_client(manager), own, "reject").status_code == 403
    listed = api_client(manager).get(f"{CASE_FILES}{tokyo.pk}/decisions/").json()
    may = {row["id"]: row["may_approve"] for row in listed}
    assert may[refusal.pk] is True and may[own.pk] is False


def test_a_manager_rejects_a_proposal_over_her_token(refusal, manager):
    response = approve(api_client(manager), refusal, "reject")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "rejected"
    assert response.json()["decision_reason"] == "同意します。"


def test_lists_cost_the_same_queries_for_one_row_and_many(demo, staff_tokyo, manager):
    client = api_client(manager)
    client.get(CASE_FILES)  # the token's first use is written once

    def queries(url, **query) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, query).status_code == 200
        return len(captured)

    def caution(case_file, number: int) -> None:
        decision_propose(
            case_file=case_file,
            by=manager,
            expected_revision=revision(case_file),
            draft=draft(rationale=f"No. {number}"),
        )

    file_report(staff_tokyo, candidate_id_entered="SR83000000")
    case_file = CaseFile.objects.get(candidate__candidate_id="SR83000000")
    caution(case_file, 0)
    one = queries(CASE_FILES, candidate_id="SR83", page_size=25)
    one_decision = queries(f"{CASE_FILES}{case_file.pk}/decisions/")
    for number in range(1, 25):
        # The manager sees every case file: opened here without the report's whole submission.
        case_file_for_candidate_id(f"SR830000{number:02d}", by=staff_tokyo)
        caution(case_file, number)
    assert len(ids(client.get(CASE_FILES, {"candidate_id": "SR83", "page_size": 25}))) == 25
    assert queries(CASE_FILES, candidate_id="SR83", page_size=25) == one
    assert queries(f"{CASE_FILES}{case_file.pk}/decisions/") == one_decision

"""Every page and action of the review milestone, for every demo role: the status each gets.
Tokyo's case file has Tokyo reports only; the shared one has reports from both centers."""

import pytest

from incidents.models import CaseFile
from incidents.services.decisions import decision_approve, decision_propose
from tests.helpers import client_for, file_report
from tests.incidents.test_decisions import draft, revision

ROLES = [
    "staff.tokyo",
    "staff.osaka",
    "supervisor.tokyo",
    "supervisor.osaka",
    "manager",
    "legal",
    "admin",
    "outsider",
]

# page -> expected status per role, in the order of ROLES
EXPECTED = {
    "review queue": (404, 404, 200, 200, 200, 200, 404, 404),
    "case file list": (404, 404, 200, 200, 200, 200, 404, 404),
    "Tokyo case file": (404, 404, 200, 404, 200, 200, 404, 404),
    "shared case file": (404, 404, 200, 200, 200, 200, 404, 404),
    "notice (Tokyo)": (404, 404, 200, 404, 200, 200, 404, 404),
    "check-in": (200, 200, 200, 200, 200, 200, 404, 404),
    "Tokyo report": (200, 404, 200, 404, 200, 200, 404, 404),
    # Actions: "acted" is a redirect after success, or the page again with a message (the
    # first reviewer already started the review): either way the role may act; 404 may not.
    "start review (Tokyo)": (404, 404, "acted", 404, "acted", "acted", 404, 404),
    "decide (Tokyo case file)": (404, 404, "acted", 404, "acted", "acted", 404, 404),
}


def outcome(status: int):
    return "acted" if status in (302, 409, 422) else status


@pytest.fixture
def world(staff_tokyo, staff_osaka, supervisor_tokyo, manager):
    tokyo_report = file_report(staff_tokyo, candidate_id_entered="SR80000001")
    file_report(staff_tokyo, candidate_id_entered="SR80000002")
    file_report(staff_osaka, candidate_id_entered="SR80000002")
    tokyo = CaseFile.objects.get(candidate__candidate_id="SR80000001")
    shared = CaseFile.objects.get(candidate__candidate_id="SR80000002")
    caution = decision_propose(
        case_file=tokyo, by=supervisor_tokyo, expected_revision=revision(tokyo), draft=draft()
    )
    return {"report": tokyo_report, "tokyo": tokyo, "shared": shared, "caution": caution}


def request_page(client, page: str, world):
    report, tokyo, shared = world["report"], world["tokyo"], world["shared"]
    if page == "review queue":
        return client.get("/review/")
    if page == "case file list":
        return client.get("/cases/")
    if page == "Tokyo case file":
        return client.get(f"/cases/{tokyo.pk}/")
    if page == "shared case file":
        return client.get(f"/cases/{shared.pk}/")
    if page == "notice (Tokyo)":
        return client.get(f"/cases/{tokyo.pk}/decisions/{world['caution'].pk}/notice/")
    if page == "check-in":
        return client.get("/checkin/")
    if page == "Tokyo report":
        return client.get(f"/incidents/{report.reference}/")
    if page == "start review (Tokyo)":
        return client.post(
            f"/incidents/{report.reference}/review/status/", {"status": "under_review"}
        )
    if page == "decide (Tokyo case file)":
        tokyo.refresh_from_db()
        return client.post(
            f"/cases/{tokyo.pk}/decisions/",
            {
                "revision": tokyo.revision,
                "outcome": "no_action",
                "demand_legitimacy": "unsure",
                "manner": "unsure",
                "categories": ["verbal_abuse"],
                "rationale": "Nothing more to do.",
            },
        )
    raise AssertionError(page)


@pytest.mark.parametrize("page", list(EXPECTED))
def test_every_page_of_the_review_milestone_for_every_role(demo, world, page):
    got = tuple(
        outcome(request_page(client_for(demo[role]), page, world).status_code)
        if isinstance(EXPECTED[page][2], str)
        else request_page(client_for(demo[role]), page, world).status_code
        for role in ROLES
    )
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, EXPECTED[page], strict=True))


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(demo, world):
    client = client_for(None)
    for page in EXPECTED:
        response = request_page(client, page, world)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], page


def test_what_a_refusal_shows_at_check_in_and_hides_everywhere_else(
    demo, world, supervisor_tokyo, manager
):
    tokyo = world["tokyo"]
    refusal = decision_propose(
        case_file=tokyo,
        by=supervisor_tokyo,
        expected_revision=revision(tokyo),
        draft=draft("testing_refused"),
    )
    decision_approve(
        decision=refusal, by=manager, reason="Agreed.", expected_revision=revision(tokyo)
    )
    for role in ("staff.osaka", "supervisor.osaka"):
        page = client_for(demo[role], language="en").post(
            "/checkin/", {"candidate_id": "SR80000001"}
        )
        text = page.content.decode()
        assert "Testing refused until" in text
        assert world["report"].narrative not in text and world["report"].reference not in text

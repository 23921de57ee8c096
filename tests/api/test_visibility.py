"""The visibility matrix of the web pages (tests/incidents/test_visibility_matrix.py), repeated
for the API: the same world, the same roles, and for each endpoint the same answer as the page
it stands for. What the API must show is what the browser shows the same person, no more."""

import pytest

from tests.api.conftest import api_client
from tests.helpers import file_report
from tests.incidents import test_visibility_matrix as web_matrix
from tests.incidents.test_visibility_matrix import EXPECTED, OK, ROLES, RULES

# The web matrix's world (its reports, evidence, case files and decision), a fixture here too.
world = web_matrix.world

# Each endpoint and the page of the web matrix whose row it must repeat.
ENDPOINTS = {
    "GET /case-files/": "case file list",
    "GET /case-files/{tokyo}/": "Tokyo case file",
    "GET /case-files/{shared}/": "shared case file",
    "GET /case-files/{tokyo}/decisions/": "Tokyo case file",
    "GET /reports/{report}/": "Tokyo report",
    "GET /reports/{support}/": "support report (Tokyo)",
    "GET /evidence/{photo}": "its evidence, downloaded",
    "POST /reports/": "the report form",
    "POST /case-files/{tokyo}/decisions/": "decide (Tokyo case file)",
}


def outcome(status: int) -> str:
    """The web matrix's outcomes; a record made (201) is "ok" as the page's redirect is, and
    a refused input (400) is "rules" as the page's 422 is."""
    if status == 201:
        return OK
    return RULES if status == 400 else web_matrix.outcome(status)


def call(client, endpoint: str, world):
    method, template = endpoint.split(" ")
    path = "/api/v1" + template.format(
        tokyo=world["tokyo"].pk,
        shared=world["shared"].pk,
        report=world["report"].reference,
        support=world["support"].reference,
        photo=world["photo"].pk,
    )
    if method == "GET":
        return client.get(path)
    if "decisions" in path:
        world["tokyo"].refresh_from_db()
        body = {
            "revision": world["tokyo"].revision,
            "outcome": "no_action",
            "demand_legitimacy": "unsure",
            "manner": "unsure",
            "categories": ["verbal_abuse"],
            "rationale": "Nothing more to do.",
        }
    else:
        body = {"narrative": "The candidate shouted at the desk.", "categories": ["other"]}
    return client.post(path, body, content_type="application/json")


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_every_endpoint_answers_every_role_as_its_page_does(demo, world, endpoint):
    got = tuple(
        outcome(call(api_client(demo[role]), endpoint, world).status_code) for role in ROLES
    )
    expected = EXPECTED[ENDPOINTS[endpoint]]
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True))


def test_the_list_holds_what_each_role_reads_in_full(demo, world):
    """The Tokyo report is listed for whom its page opens in full; the support request is
    listed for no one but those (the staff-care contact reads it one by one)."""
    for role, expected in zip(ROLES, EXPECTED["Tokyo report"], strict=True):
        response = api_client(demo[role]).get("/api/v1/reports/", {"page_size": 100})
        assert response.status_code == 200, role
        listed = {row["reference"] for row in response.json()["results"]}
        assert (world["report"].reference in listed) is (expected == OK), role
        assert (world["support"].reference in listed) is (expected == OK), role


def test_a_draft_answers_its_reporter_alone(demo, staff_tokyo):
    draft = file_report(staff_tokyo, submit=False)
    for role in ROLES:
        status = api_client(demo[role]).get(f"/api/v1/reports/{draft.public_id}/").status_code
        assert status == (200 if role == "staff.tokyo" else 404), role


def test_without_a_token_or_a_session_every_endpoint_answers_401(demo, world):
    for endpoint in ENDPOINTS:
        response = call(api_client(), endpoint, world)
        assert response.status_code == 401, endpoint
        assert response["Content-Type"] == "application/problem+json"


def test_nothing_leaks_a_refusal_apart_from_a_missing_object(demo, world):
    """An outsider's 404 for a real report and for none are the same answer."""
    client = api_client(demo["staff.osaka"])
    real = client.get(f"/api/v1/reports/{world['report'].reference}/")
    missing = client.get("/api/v1/reports/CH-2000-000001/")
    assert (real.status_code, real.json()) == (missing.status_code, missing.json())

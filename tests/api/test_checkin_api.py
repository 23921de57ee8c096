"""GET /api/v1/candidates/<id>/status: the check-in system asks what the desk's page answers,
logged as the page logs it and within the same limits."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache

from incidents.models import CheckinLookup
from tests.api.conftest import api_client
from tests.helpers import client_for
from tests.incidents.test_checkin import (
    CANDIDATE_ID,
    PER_DEVICE,
    PER_USER,
    WINDOW,
    answer_of,
    refused_until,
)

PROBLEM = "application/problem+json"


def status(client, candidate_id: str = CANDIDATE_ID):
    return client.get(f"/api/v1/candidates/{candidate_id}/status")


def last_lookup(user) -> tuple:
    lookup = CheckinLookup.objects.filter(user=user).latest("looked_up_at", "id")
    return (lookup.center_id, lookup.candidate_id_entered, lookup.restricted, lookup.refused)


def test_the_endpoint_and_the_page_give_the_same_answer_and_write_the_same_log_row(
    staff_osaka, refusal
):
    page = client_for(staff_osaka, language="en").post("/checkin/", {"candidate_id": CANDIDATE_ID})
    assert refused_until(refusal.ends_on) in answer_of(page)
    page_row = last_lookup(staff_osaka)

    response = status(api_client(staff_osaka, language="en"))
    assert response.status_code == 200
    assert response.json() == {
        "candidate_id": CANDIDATE_ID,
        "restricted": True,
        "restrictions": [
            {
                "until": refusal.ends_on.isoformat(),
                "scope": "At every test center",
                "centers": [],
                "client": "",
                "contact": "Contact your supervisor before check-in",
            }
        ],
        "looked_up_at": response.json()["looked_up_at"],
    }
    assert (
        last_lookup(staff_osaka)
        == page_row
        == (
            staff_osaka.memberships.get().center_id,
            CANDIDATE_ID,
            True,
            False,
        )
    )


def test_the_answer_tells_nothing_of_the_incidents(staff_osaka, refusal):
    body = status(api_client(staff_osaka)).content.decode()
    for secret in ("山田", "暴言", "verbal_abuse", "Second report this year", "TKY-"):
        assert secret not in body


def test_an_id_typed_loosely_finds_the_candidate_as_on_the_page(staff_osaka, refusal):
    loose = CANDIDATE_ID.lower()[:4] + " " + CANDIDATE_ID.lower()[4:]
    body = status(api_client(staff_osaka), loose).json()
    assert (body["candidate_id"], body["restricted"]) == (CANDIDATE_ID, True)
    assert last_lookup(staff_osaka)[1] == loose  # logged as typed


def test_an_unknown_id_and_no_restriction_are_the_same_answer(staff_osaka, tokyo_candidate):
    client = api_client(staff_osaka)
    known, unknown = status(client).json(), status(client, "ZZ99999999").json()
    assert (known["restricted"], known["restrictions"]) == (False, [])
    assert (unknown["restricted"], unknown["restrictions"]) == (False, [])


def test_in_japanese(staff_osaka, refusal):
    restriction = status(api_client(staff_osaka, language="ja")).json()["restrictions"][0]
    assert restriction["contact"] == "受付の前にスーパーバイザーに連絡してください"


def test_a_mistyped_id_is_refused_and_logged_as_the_page_logs_it(staff_osaka):
    response = status(api_client(staff_osaka), "A!")
    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    assert last_lookup(staff_osaka)[1:] == ("A!", False, False)


def test_who_may_not_look_up_at_the_page_gets_404_and_nothing_is_logged(admin, outsider):
    for user in (admin, outsider):
        response = status(api_client(user))
        assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)
        assert not CheckinLookup.objects.filter(user=user).exists()


def test_the_token_is_a_device_and_runs_into_the_device_limit_as_a_tablet_does(
    limits, clock, staff_osaka, refusal
):
    cache.clear()
    system = api_client(staff_osaka, language="en")
    assert [status(system).status_code for _ in range(PER_DEVICE)] == [200] * PER_DEVICE
    refused = status(system)
    assert (refused.status_code, refused["Retry-After"]) == (429, str(WINDOW))
    assert refused.json()["detail"] == (
        "Too many lookups from this device in a short time. Try again in 10 minutes, "
        "or use another device."
    )
    assert last_lookup(staff_osaka) == (
        staff_osaka.memberships.get().center_id,
        CANDIDATE_ID,
        False,
        True,
    )


def test_the_page_and_the_api_share_her_user_limit(limits, clock, staff_osaka, refusal):
    cache.clear()
    tablet = client_for(staff_osaka, language="en")
    for _ in range(PER_DEVICE):
        assert tablet.post("/checkin/", {"candidate_id": CANDIDATE_ID}).status_code == 200
    second_system = api_client(staff_osaka, language="en")
    statuses = [status(second_system).status_code for _ in range(PER_USER - PER_DEVICE + 1)]
    assert statuses == [200] * (PER_USER - PER_DEVICE) + [429]
    assert "You have made too many lookups" in status(second_system).json()["detail"]
    clock.shift(timedelta(seconds=WINDOW + 1))
    assert status(second_system).status_code == 200


def test_the_id_may_go_in_the_body_instead_and_the_answer_and_log_row_are_the_same(
    staff_osaka, refusal
):
    """A POST keeps the ID out of addresses (access logs, proxies), as the page does."""
    client = api_client(staff_osaka, language="en")
    by_address = status(client).json()
    row = last_lookup(staff_osaka)
    in_body = client.post(
        "/api/v1/candidates/status", {"candidate_id": CANDIDATE_ID}, content_type="application/json"
    ).json()
    assert {**in_body, "looked_up_at": None} == {**by_address, "looked_up_at": None}
    assert last_lookup(staff_osaka) == row
    assert CheckinLookup.objects.filter(user=staff_osaka).count() == 2


def test_a_body_without_an_id_is_refused_and_nothing_is_looked_up(staff_osaka):
    response = api_client(staff_osaka, language="en").post(
        "/api/v1/candidates/status", {}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "candidate_id"
    assert not CheckinLookup.objects.filter(user=staff_osaka).exists()


def test_the_id_in_the_address_stays_out_of_the_log(staff_osaka, log_output):
    assert status(api_client(staff_osaka), "SR2027!!").status_code == 400
    written = log_output.getvalue()
    assert "Bad Request: /api/v1/candidates/[redacted]/status" in written
    assert "SR2027" not in written

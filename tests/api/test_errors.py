"""Every refusal of the API in one shape, RFC 9457 problem details, with the web forms' own
messages, in the language the request asks for."""

from __future__ import annotations

from django.test import Client
from django.utils import translation

from incidents.models import validate_candidate_id
from incidents.views.escalations import AcknowledgeForm
from tests.api.conftest import api_client
from tests.helpers import file_report

PROBLEM = "application/problem+json"


def problem(response) -> dict:
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail", "code"} <= set(body)
    assert body["status"] == response.status_code
    return body


def candidate_id_message(language: str) -> str:
    with translation.override(language):
        try:
            validate_candidate_id("??")
        except Exception as error:  # noqa: BLE001  (the validator's own ValidationError)
            return error.messages[0]
    raise AssertionError("the ID was accepted")


def test_an_address_that_is_no_endpoint_is_a_404_problem_in_japanese(staff_tokyo):
    body = problem(api_client(staff_tokyo, language="ja").get("/api/v1/no-such-thing"))
    assert (body["status"], body["code"], body["title"]) == (
        404,
        "not_found",
        "見つかりませんでした。",
    )


def test_the_same_404_in_english_and_without_credentials(db):
    body = problem(Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v2/"))
    assert (body["status"], body["title"], body["detail"]) == (404, "Not found.", "Not found.")


def test_a_field_error_carries_the_forms_message_in_the_requests_language(staff_tokyo):
    for language in ("ja", "en"):
        response = api_client(staff_tokyo, language=language).get(
            "/api/v1/candidates/%3F%3F/status"
        )
        body = problem(response)
        assert (body["status"], body["code"]) == (400, "invalid")
        assert body["errors"] == [
            {
                "field": "candidate_id",
                "code": "candidate_id",
                "detail": candidate_id_message(language),
            }
        ]


def test_a_note_too_long_is_refused_with_the_inbox_forms_message(manager, staff_tokyo):
    file_report(staff_tokyo, categories=("physical_attack",))
    client = api_client(manager, language="ja")
    escalation = client.get("/api/v1/escalations/?state=to_act_on").json()["results"][0]
    note = "あ" * 5_001
    response = client.post(
        f"/api/v1/escalations/{escalation['id']}/acknowledge",
        {"note": note},
        content_type="application/json",
    )
    with translation.override("ja"):
        form = AcknowledgeForm({"note": note})
        assert not form.is_valid()
        expected = form.errors["note"][0]
    body = problem(response)
    assert body["errors"] == [{"field": "note", "code": "max_length", "detail": expected}]


def test_a_method_the_endpoint_does_not_have_is_a_405_problem(staff_tokyo):
    body = problem(api_client(staff_tokyo, language="en").delete("/api/v1/categories/"))
    assert (body["status"], body["title"]) == (405, "Method not allowed.")


def test_malformed_json_is_a_400_problem(manager, staff_tokyo):
    file_report(staff_tokyo, categories=("physical_attack",))
    client = api_client(manager, language="en")
    escalation = client.get("/api/v1/escalations/?state=to_act_on").json()["results"][0]
    response = client.post(
        f"/api/v1/escalations/{escalation['id']}/acknowledge",
        "{not json",
        content_type="application/json",
    )
    body = problem(response)
    assert (body["status"], body["code"]) == (400, "parse_error")


def test_a_refused_token_is_told_in_the_language_asked_for(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="ja", HTTP_AUTHORIZATION="Bearer nonsense").get(
        "/api/v1/categories/"
    )
    body = problem(response)
    assert (body["status"], body["title"], body["detail"]) == (
        401,
        "認証が必要です。",
        "このトークンは無効です。",
    )


def test_without_credentials_djangos_rest_framework_speaks_japanese_too(db):
    body = problem(Client(HTTP_ACCEPT_LANGUAGE="ja").get("/api/v1/categories/"))
    assert body["code"] == "not_authenticated"
    assert body["detail"] != "Authentication credentials were not provided."
    assert body["detail"].endswith("。")

"""Personal API tokens: made on her tokens page and shown once, kept only as a digest, with an
expiry, a last-used time and a revocation; refused with 401 otherwise; throttled per token and
per user; never written to a log."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from api.models import PersonalToken
from tests.api.conftest import api_client, token_key
from tests.helpers import client_for

CATEGORIES = "/api/v1/categories/"
PROBLEM = "application/problem+json"


def problem_of(response) -> tuple[int, str]:
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == response.status_code
    return response.status_code, body["detail"]


# --- Made on her page, shown once, hashed at rest ---------------------------------------------


def create_on_the_page(client: Client, name: str = "Check-in system, desk 2", days: int = 30):
    return client.post("/accounts/tokens/new/", {"name": name, "lifetime_days": days})


def shown_key(response) -> str:
    found = re.search(
        r'data-token-key[^>]*value="([^"]+)"|value="([^"]+)"[^>]*data-token-key',
        response.content.decode(),
    )
    assert found, "the page shows no new token"
    return found.group(1) or found.group(2)


def test_she_makes_a_token_on_her_page_sees_it_once_and_it_works(staff_tokyo):
    browser = client_for(staff_tokyo, language="en")
    assert 'href="/accounts/tokens/"' in browser.get("/accounts/profile/").content.decode()

    response = create_on_the_page(browser)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = shown_key(response)
    assert api_client(key=key).get(CATEGORIES).status_code == 200

    listing = browser.get("/accounts/tokens/").content.decode()
    assert "Check-in system, desk 2" in listing
    assert key not in listing  # shown that once, never again


def test_the_secret_is_stored_only_as_its_sha256_digest(staff_tokyo):
    key = token_key(staff_tokyo)
    token = PersonalToken.objects.get(user=staff_tokyo)
    secret = key.split("_", 2)[2]
    stored = " ".join(
        str(value) for value in PersonalToken.objects.values().get(pk=token.pk).values()
    )
    assert secret not in stored
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert key.startswith(f"hp_{token.prefix}_")


def test_a_token_sees_what_its_owner_sees_and_acts_as_her(staff_tokyo, manager):
    """Staff have no escalation inbox: her token gets the 404 her browser gets."""
    assert api_client(staff_tokyo).get("/api/v1/escalations/").status_code == 404
    assert client_for(staff_tokyo).get("/api/v1/escalations/").status_code == 404
    assert api_client(manager).get("/api/v1/escalations/").status_code == 200


def test_someone_without_a_role_has_no_tokens_page(outsider):
    browser = client_for(outsider, language="en")
    assert browser.get("/accounts/tokens/").status_code == 404
    assert create_on_the_page(browser).status_code == 404
    assert not PersonalToken.objects.filter(user=outsider).exists()


def test_a_nameless_token_is_refused_with_the_forms_message(staff_tokyo):
    response = create_on_the_page(client_for(staff_tokyo, language="en"), name="   ")
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not PersonalToken.objects.filter(user=staff_tokyo).exists()


def test_a_lifetime_beyond_the_longest_allowed_is_refused(staff_tokyo, settings):
    settings.API_TOKEN_MAX_DAYS = 30
    response = create_on_the_page(client_for(staff_tokyo, language="en"), days=365)
    assert response.status_code == 422
    assert not PersonalToken.objects.filter(user=staff_tokyo).exists()


def test_a_half_signed_in_session_reaches_no_tokens_page(supervisor_tokyo):
    """The supervisor owes a second factor: the page sends her to the factor step."""
    browser = Client()
    browser.force_login(supervisor_tokyo, backend="accounts.backends.PortalBackend")
    response = create_on_the_page(browser)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/second-factor/")
    assert not PersonalToken.objects.filter(user=supervisor_tokyo).exists()


# --- Revoked, expired, unknown: 401 --------------------------------------------------------------


def test_a_revoked_token_is_refused_with_401(staff_tokyo):
    browser = client_for(staff_tokyo, language="en")
    key = shown_key(create_on_the_page(browser))
    token = PersonalToken.objects.get(user=staff_tokyo)
    response = browser.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "revoked" in response.content.decode()

    refused = api_client(key=key).get(CATEGORIES)
    assert problem_of(refused) == (401, "This token was revoked.")
    assert refused["WWW-Authenticate"] == 'Bearer realm="api"'


def test_she_cannot_revoke_anothers_token(staff_tokyo, staff_osaka):
    key = token_key(staff_osaka)
    token = PersonalToken.objects.get(user=staff_osaka)
    response = client_for(staff_tokyo).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert api_client(key=key).get(CATEGORIES).status_code == 200


def test_an_expired_token_is_refused_with_401(staff_tokyo):
    key = token_key(staff_tokyo, days=7)
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        assert problem_of(api_client(key=key).get(CATEGORIES)) == (401, "This token has expired.")


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer hp_0123456789_" + "x" * 43,  # well-formed, unknown
        "Bearer nonsense",
        "Bearer",
        "Bearer one two",
    ],
)
def test_an_unknown_or_malformed_token_is_refused_with_401(db, authorization):
    response = Client(HTTP_AUTHORIZATION=authorization).get(CATEGORIES)
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM


def test_a_token_with_a_wrong_secret_is_refused(staff_tokyo):
    key = token_key(staff_tokyo)
    forged = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert api_client(key=forged).get(CATEGORIES).status_code == 401


def test_without_credentials_the_answer_is_401_asking_for_a_bearer_token(db):
    response = Client().get(CATEGORIES)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


# --- Last used -----------------------------------------------------------------------------------


def test_last_used_is_noted_at_most_once_a_minute(staff_tokyo):
    key = token_key(staff_tokyo)
    token = PersonalToken.objects.get(user=staff_tokyo)
    assert token.last_used_at is None
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api_client(key=key).get(CATEGORIES)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        api_client(key=key).get(CATEGORIES)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        api_client(key=key).get(CATEGORIES)
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)


# --- Throttled per token and per user ------------------------------------------------------------


def test_one_token_past_its_limit_gets_429_with_retry_after_while_her_other_token_goes_on(
    staff_tokyo, settings
):
    settings.API_REQUESTS_PER_TOKEN = 3
    settings.API_REQUESTS_PER_USER = 100
    busy, other = api_client(staff_tokyo), api_client(staff_tokyo)
    assert [busy.get(CATEGORIES).status_code for _ in range(3)] == [200, 200, 200]
    refused = busy.get(CATEGORIES)
    assert refused.status_code == 429
    assert refused["Content-Type"] == PROBLEM
    assert 1 <= int(refused["Retry-After"]) <= settings.API_THROTTLE_WINDOW_SECONDS
    assert other.get(CATEGORIES).status_code == 200


def test_all_her_tokens_and_her_browser_together_stop_at_the_user_limit(
    staff_tokyo, staff_osaka, settings
):
    settings.API_REQUESTS_PER_TOKEN = 100
    settings.API_REQUESTS_PER_USER = 4
    calls = [api_client(staff_tokyo), api_client(staff_tokyo), client_for(staff_tokyo)]
    statuses = [calls[i % 3].get(CATEGORIES).status_code for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert api_client(staff_osaka).get(CATEGORIES).status_code == 200


def test_the_window_empties_at_the_pace_retry_after_promised(staff_tokyo, settings):
    settings.API_REQUESTS_PER_TOKEN = 1
    client = api_client(staff_tokyo)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert client.get(CATEGORIES).status_code == 200
        wait = int(client.get(CATEGORIES)["Retry-After"])
    assert wait == settings.API_THROTTLE_WINDOW_SECONDS
    with time_machine.travel(start + timedelta(seconds=wait - 1), tick=False):
        assert client.get(CATEGORIES).status_code == 429  # refused tries do not count
    with time_machine.travel(start + timedelta(seconds=wait + 1), tick=False):
        assert client.get(CATEGORIES).status_code == 200


# --- The second factor ---------------------------------------------------------------------------


def test_a_half_signed_in_session_gets_no_api_answer(supervisor_tokyo):
    """Password given, second factor not: the API refuses the session as every page does."""
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(supervisor_tokyo, backend="accounts.backends.PortalBackend")
    response = browser.get(CATEGORIES)
    assert problem_of(response) == (
        401,
        "Give your second factor first: this session is not fully signed in.",
    )
    assert client_for(supervisor_tokyo).get(CATEGORIES).status_code == 200


def test_a_session_write_needs_the_csrf_token(manager):
    browser = client_for(manager)
    browser.handler.enforce_csrf_checks = True
    response = browser.post("/api/v1/notifications/notices/read")
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM


# --- Never in the logs ---------------------------------------------------------------------------


def test_no_token_reaches_the_logs(staff_tokyo, log_output):
    key = token_key(staff_tokyo)
    token = PersonalToken.objects.get(user=staff_tokyo)
    PersonalToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    bad = "hp_0123456789_" + "s" * 43
    assert api_client(key=key).get(CATEGORIES).status_code == 401
    assert api_client(key=bad).get(CATEGORIES).status_code == 401
    # Whatever else may log a request's header: a library, an exception's message.
    logging.getLogger("django.request").warning("Authorization: Bearer %s", key)
    try:
        raise ValueError(f"bad header {key}")
    except ValueError:
        logging.getLogger("tests").exception("failed")

    written = log_output.getvalue()
    assert "Unauthorized: /api/v1/categories/" in written  # the requests were logged
    assert f"API token {token.pk} refused: revoked" in written
    secret = key.split("_", 2)[2]
    assert key not in written and secret not in written and bad not in written
    assert "[redacted]" in written


def test_making_and_revoking_a_token_are_logged_without_the_key(staff_tokyo, caplog):
    browser = client_for(staff_tokyo, language="en")
    with caplog.at_level(logging.INFO, logger="api.services"):
        key = shown_key(create_on_the_page(browser))
        token = PersonalToken.objects.get(user=staff_tokyo)
        browser.post(f"/accounts/tokens/{token.pk}/revoke/")
    messages = [record.getMessage() for record in caplog.records]
    assert any(f"API token {token.pk} created for user {staff_tokyo.pk}" in m for m in messages)
    assert f"API token {token.pk} of user {staff_tokyo.pk} revoked" in messages
    assert not any(key.split("_", 2)[2] in m for m in messages)

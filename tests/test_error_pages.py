"""The portal's own error pages: translated, and made without a database query, so that they
still show when the database is what failed (templates/_error_layout.html)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.error_urls import LAST_QUERY_OF_THE_VIEW
from tests.helpers import client_for

pytestmark = pytest.mark.urls("tests.error_urls")


@pytest.fixture(autouse=True)
def production_errors(settings):
    """Error pages as production shows them, not Django's debug pages."""
    settings.DEBUG = False


def failing_client(user, language: str) -> Client:
    client = client_for(user, language=language)
    client.raise_request_exception = False
    return client


def queries_after_the_view(queries) -> list[str]:
    sql = [query["sql"] for query in queries]
    return sql[sql.index(LAST_QUERY_OF_THE_VIEW) + 1 :]


def test_a_server_error_shows_the_portal_page_and_queries_nothing(staff_tokyo):
    client = failing_client(staff_tokyo, "en")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/test-errors/broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Server error" in page
    assert "Your draft is safe" in page
    assert "“Save draft”" in page
    assert 'href="/incidents/mine/"' in page
    assert "Phone your supervisor" in page
    assert 'lang="en"' in page
    # Not the user, the bell, the roles nor the outbox banner: none of it is looked up.
    assert queries_after_the_view(queries.captured_queries) == []


def test_the_server_error_page_reads_in_the_users_language(staff_tokyo):
    page = failing_client(staff_tokyo, "ja").get("/test-errors/broken/").content.decode()
    assert 'lang="ja"' in page
    assert "サーバーエラー" in page
    assert "自分の報告" in page  # "My reports"
    assert "ハラスメント報告ポータル" in page


@pytest.mark.parametrize(
    ("language", "heading", "portal"),
    [
        ("ja", "ページが見つかりません", "ハラスメント報告ポータル"),
        ("en", "Page not found", "Harassment Portal"),
    ],
)
def test_an_unknown_address_shows_the_translated_404_page_without_a_query(
    staff_tokyo, language, heading, portal
):
    client = failing_client(staff_tokyo, language)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert heading in page
    assert portal in page
    assert f'lang="{language}"' in page
    assert queries.captured_queries == []


def test_a_report_that_is_not_yours_gets_the_same_404_page(staff_osaka):
    response = failing_client(staff_osaka, "en").get("/incidents/CH-2099-999999/")
    assert response.status_code == 404
    assert "This page does not exist, or you do not have access to it." in response.content.decode()


def test_a_refused_action_shows_the_403_page_without_a_further_query(staff_tokyo):
    client = failing_client(staff_tokyo, "ja")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/test-errors/forbidden/")
    assert response.status_code == 403
    assert "アクセス禁止" in response.content.decode()  # "Forbidden"
    assert queries_after_the_view(queries.captured_queries) == []


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_form_sent_without_its_csrf_token_shows_the_expired_form_page(db, language):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    response = client.post("/accounts/login/", {"username": "staff.tokyo", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert f'lang="{language}"' in page
    assert 'href="/incidents/mine/"' in page
    assert "CSRF" not in page  # Django's bare page names the mechanism; ours says what to do
    if language == "en":
        assert "The form has expired" in page


def test_a_tampered_request_shows_the_400_page(db):
    response = failing_client(None, "en").get("/test-errors/suspicious/")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_a_request_for_another_host_shows_the_400_page(db):
    response = failing_client(None, "en").get("/", HTTP_HOST="portal.attacker.example")
    assert response.status_code == 400
    assert "The portal could not understand this request." in response.content.decode()

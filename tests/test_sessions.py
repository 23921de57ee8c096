"""Sessions: a plain GET writes nothing, yet a session still ends after SESSION_COOKIE_AGE
without a request (harassment_portal/middleware.py)."""

from datetime import timedelta

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.helpers import client_for


def session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def session_writes(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries
        if "django_session" in query["sql"]
        and query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_plain_gets_by_a_signed_in_user_do_not_write_the_session(signed_in):
    before = session_row(signed_in)
    with CaptureQueriesContext(connection) as queries:
        for path in ("/", "/incidents/mine/", "/policy/"):
            assert signed_in.get(path).status_code == 200, path
    assert session_writes(queries.captured_queries) == []
    after = session_row(signed_in)
    assert (after.expire_date, after.session_data) == (before.expire_date, before.session_data)


def test_a_request_after_the_refresh_interval_moves_the_expiry_forward(signed_in):
    before = session_row(signed_in)
    later = timezone.now() + timedelta(seconds=settings.SESSION_REFRESH_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        with CaptureQueriesContext(connection) as queries:
            assert signed_in.get("/").status_code == 200
        assert len(session_writes(queries.captured_queries)) == 1
        assert session_row(signed_in).expire_date > before.expire_date
        # …and the next one, within the interval again, writes nothing.
        with CaptureQueriesContext(connection) as queries:
            assert signed_in.get("/").status_code == 200
        assert session_writes(queries.captured_queries) == []


def test_a_session_idle_for_the_cookie_age_is_signed_out(signed_in):
    idle = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)
    with time_machine.travel(idle, tick=False):
        response = signed_in.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_session_in_use_outlives_the_cookie_age(signed_in):
    """Each request after the refresh interval pushes the end of the session forward (up
    to the absolute limit, SESSION_ABSOLUTE_SECONDS: tests/accounts/test_sessions_timeout.py)."""
    start = timezone.now()
    step = timedelta(seconds=settings.SESSION_COOKIE_AGE // 2 - 60)
    for hop in range(1, 4):  # nearly one and a half times the cookie age in all
        with time_machine.travel(start + hop * step, tick=False):
            assert signed_in.get("/").status_code == 200, hop


def test_signing_out_leaves_no_session_behind(signed_in):
    key = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    signed_in.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert Session.objects.count() == 0


def test_a_session_from_before_the_stamps_is_stamped_once_then_ends_when_idle(
    staff_tokyo, settings
):
    """Signed in before the session stamps existed (accounts/sessions.py): its first request
    stamps it (one write), the next GETs write nothing, and its idle limit holds from then."""
    settings.SESSION_IDLE_STAFF_SECONDS = 600  # well inside the session row's own life
    client = client_for(staff_tokyo, language="en")
    session = client.session
    for key in ("_signed_in_at", "_refreshed_at", "_idle_seconds"):
        del session[key]
    session.save()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with CaptureQueriesContext(connection) as queries:
            client.get("/policy/")
        assert len(session_writes(queries.captured_queries)) == 1
        with CaptureQueriesContext(connection) as queries:
            client.get("/policy/")
        assert session_writes(queries.captured_queries) == []
        assert client.get("/policy/").status_code == 200
    with time_machine.travel(start + timedelta(seconds=601), tick=False):
        assert client.get("/policy/").status_code == 302


def test_a_session_is_read_until_its_row_expires_and_not_after(signed_in):
    assert signed_in.get("/accounts/profile/").status_code == 200
    row = session_row(signed_in)
    row.expire_date = timezone.now() - timedelta(seconds=1)
    row.save(update_fields=["expire_date"])

    response = signed_in.get("/accounts/profile/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_session_key_is_a_signed_out_visitor(signed_in):
    signed_in.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32

    response = signed_in.get("/accounts/profile/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

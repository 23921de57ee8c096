"""Sessions end server-side (accounts/sessions.py, harassment_portal/middleware.py): after 30
idle minutes for privileged roles, a working day for front-desk staff, 12 hours after signing
in whatever the activity; with a message on the sign-in page, a 401 for the report form's
autosave, and a warning before the idle end."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.conftest import DEMO_PASSWORD
from tests.helpers import client_for

IDLE = settings.SESSION_IDLE_PRIVILEGED_SECONDS


def verified(user, language: str = "en") -> Client:
    """Signed in and past the second factor her role asks for (a device of hers, as
    django-otp records a verified session)."""
    client = client_for(user, language=language)
    try:
        from django_otp import devices_for_user
    except ImportError:
        return client
    device = next(devices_for_user(user), None)
    if device is not None:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def seconds_left_on(page: str) -> int:
    return int(re.search(r'data-seconds-left="(\d+)"', page).group(1))


@pytest.fixture
def start():
    return timezone.now()


def test_a_managers_session_ends_after_thirty_idle_minutes(demo, start):
    with time_machine.travel(start, tick=False):
        manager = verified(demo["manager"])
        key = session_key(manager)
    # Busy now and then: each request within the limit keeps her signed in.
    with time_machine.travel(start + timedelta(seconds=IDLE - 60), tick=False):
        assert manager.get("/").status_code == 200
    with time_machine.travel(start + timedelta(seconds=2 * IDLE - 120), tick=False):
        assert manager.get("/").status_code == 200
    # Then thirty minutes without a request: the next one finds her signed out.
    with time_machine.travel(start + timedelta(seconds=3 * IDLE), tick=False):
        response = manager.get("/cases/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/cases/")
        assert not Session.objects.filter(session_key=key).exists()  # ended server-side
        page = manager.get(response["Location"]).content.decode()
    assert "Your session ended after 30 minutes without activity" in page
    assert "drafts are saved" in page


def test_front_desk_staff_keep_a_working_day(demo, start):
    with time_machine.travel(start, tick=False):
        staff = client_for(demo["staff.tokyo"], language="en")
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        assert staff.get("/incidents/mine/").status_code == 200
    with time_machine.travel(
        start + timedelta(hours=2, seconds=settings.SESSION_IDLE_STAFF_SECONDS + 1), tick=False
    ):
        assert staff.get("/incidents/mine/").status_code == 302


def test_every_session_ends_twelve_hours_after_signing_in(demo, start):
    with time_machine.travel(start, tick=False):
        staff = client_for(demo["staff.tokyo"], language="en")
    hours = settings.SESSION_ABSOLUTE_SECONDS // 3600
    for hour in range(1, hours):  # busy all day long
        with time_machine.travel(start + timedelta(hours=hour), tick=False):
            assert staff.get("/").status_code == 200, hour
    with time_machine.travel(start + timedelta(hours=hours, seconds=1), tick=False):
        response = staff.get("/")
        assert response.status_code == 302
        page = staff.get(response["Location"]).content.decode()
    assert "a session lasts at most 12 hours" in page


def test_the_autosave_of_an_ended_session_gets_401_json_not_a_redirect(demo, start):
    with time_machine.travel(start, tick=False):
        staff = client_for(demo["staff.tokyo"], language="en")
        form = staff.get("/incidents/new/").content.decode()
        token = re.search(r'name="form_token" value="([^"]+)"', form).group(1)
    later = start + timedelta(seconds=settings.SESSION_IDLE_STAFF_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        response = staff.post(
            "/incidents/new/autosave/",
            {"form_token": token, "narrative": "He shouted at me."},
            HTTP_ACCEPT="application/json",
        )
    assert response.status_code == 401
    assert response.json()["error"] == "signed_out"
    assert response.json()["login_url"].startswith("/accounts/login/?next=")


def test_pages_carry_the_seconds_left_for_the_warning(demo, start):
    with time_machine.travel(start, tick=False):
        manager = verified(demo["manager"])
        staff = client_for(demo["staff.tokyo"], language="en")
        manager_page = manager.get("/").content.decode()
        staff_page = staff.get("/").content.decode()
    assert seconds_left_on(manager_page) == IDLE
    assert seconds_left_on(staff_page) == settings.SESSION_IDLE_STAFF_SECONDS
    assert "/static/js/session-timeout.js" in manager_page
    assert "Stay signed in" in manager_page
    assert "ends in <span data-session-minutes>" in manager_page  # the script's countdown
    # Signed out, there is nothing to warn of.
    assert "session-warning" not in Client().get("/accounts/login/").content.decode()
    # A little later the page says less is left (no refresh yet: this GET writes nothing).
    with time_machine.travel(start + timedelta(seconds=60), tick=False):
        assert seconds_left_on(manager.get("/").content.decode()) == IDLE - 60


def test_asking_how_long_is_left_is_not_activity_but_staying_signed_in_is(demo, start):
    with time_machine.travel(start, tick=False):
        manager = verified(demo["manager"])
        page = manager.get("/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    asked = start + timedelta(seconds=IDLE - 120)
    with time_machine.travel(asked, tick=False):
        status = manager.get("/accounts/session/")
        assert status.json() == {"signed_in": True, "seconds_left": 120}
        assert "no-store" in status["Cache-Control"]
        assert manager.get("/accounts/session/").json()["seconds_left"] == 120
    with time_machine.travel(asked + timedelta(seconds=60), tick=False):
        stay = manager.post("/accounts/session/", {"csrfmiddlewaretoken": csrf})
        assert stay.json() == {"signed_in": True, "seconds_left": IDLE}
    # Still signed in well past the first half hour.
    with time_machine.travel(asked + timedelta(seconds=IDLE - 60), tick=False):
        assert manager.get("/").status_code == 200
    with time_machine.travel(asked + timedelta(seconds=2 * IDLE + 60), tick=False):
        assert manager.get("/accounts/session/").status_code == 401


def test_signing_in_rotates_the_session_key(demo):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    session = client.session  # a session before signing in (a fixated key, say)
    session["before"] = True
    session.save()
    before = session.session_key
    response = client.post(
        "/accounts/login/", {"username": "staff.tokyo", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert session_key(client) != before
    assert not Session.objects.filter(session_key=before).exists()


def test_after_signing_out_the_old_cookie_no_longer_works(demo):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/accounts/login/", {"username": "staff.tokyo", "password": DEMO_PASSWORD})
    old = session_key(client)
    assert client.get("/incidents/mine/").status_code == 200
    client.post("/accounts/logout/")
    thief = Client(HTTP_ACCEPT_LANGUAGE="en")
    thief.cookies[settings.SESSION_COOKIE_NAME] = old  # a copy of the cookie, kept
    response = thief.get("/incidents/mine/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

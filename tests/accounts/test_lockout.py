"""The sign-in lockout (accounts/lockout.py): one attacker at one address cannot lock out a
whole office, an account cannot be guessed at more than a few times an hour from anywhere, a
spraying address is stopped, and every lock ends by itself or by an administrator's hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from accounts.client_ip import client_ip
from tests.conftest import DEMO_PASSWORD
from tests.helpers import client_for

ATTACKER = "203.0.113.66"  # the attacker, behind the office router of Tokyo…
OFFICE = ATTACKER  # …the very same address as the colleagues there
ELSEWHERE = "198.51.100.7"  # staff.tokyo from another office


def sign_in(username: str, password: str, address: str, language: str = "en"):
    client = Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(username: str, address: str, times: int = 1):
    response = None
    for _ in range(times):
        _client, response = sign_in(username, "wrong-password-1234", address)
    return response


@pytest.fixture
def people(demo):
    return demo


def administrator(user) -> Client:
    """An administrator's session past its second factor (Django admin asks for one): signed
    in, then verified with a device of hers as django-otp records it."""
    client = client_for(user, language="en")
    try:
        from django_otp import devices_for_user
    except ImportError:  # no second factor in this tree
        return client
    device = next(devices_for_user(user), None)
    if device is None:
        from django_otp.plugins.otp_static.models import StaticDevice

        device = StaticDevice.objects.create(user=user, name="test")
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def test_five_wrong_passwords_lock_that_username_from_that_address_only(people):
    assert fail("staff.tokyo", ATTACKER, 4).status_code == 200  # the form again, with its error
    locked = fail("staff.tokyo", ATTACKER)
    assert locked.status_code == 429
    assert "from this device" in locked.content.decode()
    assert "Try again after" in locked.content.decode()
    # Even the right password is refused from there now…
    client, response = sign_in("staff.tokyo", DEMO_PASSWORD, ATTACKER)
    assert response.status_code == 429 and not signed_in(client)
    # …but staff.tokyo at another office signs in, and so does a colleague at the attacker's.
    client, response = sign_in("staff.tokyo", DEMO_PASSWORD, ELSEWHERE)
    assert response.status_code == 302 and signed_in(client)
    client, response = sign_in("staff.osaka", DEMO_PASSWORD, OFFICE)
    assert response.status_code == 302 and signed_in(client)


def test_the_lockout_page_says_when_to_try_again_in_japanese(people):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _client, response = None, fail("staff.tokyo", ATTACKER, settings.AXES_FAILURE_LIMIT)
        client = Client(REMOTE_ADDR=ATTACKER)  # the portal's default language
        response = client.post(
            "/accounts/login/", {"username": "staff.tokyo", "password": "wrong-password-1234"}
        )
    page = response.content.decode()
    assert response.status_code == 429
    until = timezone.localtime(start + settings.AXES_COOLOFF_TIME + timedelta(seconds=59))
    assert f"{until:%H:%M}" in page
    assert "この端末からこのアカウントに" in page and "Too many" not in page


def test_ten_failures_from_anywhere_lock_the_account_everywhere_until_the_cool_off(people):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for attacker in range(5):  # two guesses from each of five addresses: no pair lock
            fail("staff.tokyo", f"192.0.2.{attacker + 1}", 2)
        client, response = sign_in("staff.tokyo", DEMO_PASSWORD, ELSEWHERE)
        assert response.status_code == 429 and not signed_in(client)
        assert "wherever you sign in from" in response.content.decode()
        # Another account is untouched.
        assert signed_in(sign_in("staff.osaka", DEMO_PASSWORD, ELSEWHERE)[0])
    # Guessing on while locked does not push the end of the lock forward…
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        fail("staff.tokyo", "192.0.2.99", 3)
        assert sign_in("staff.tokyo", DEMO_PASSWORD, ELSEWHERE)[1].status_code == 429
    # …so the lock ends a cool-off after it was set, and she signs in.
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + timedelta(seconds=1)):
        client, response = sign_in("staff.tokyo", DEMO_PASSWORD, ELSEWHERE)
        assert response.status_code == 302 and signed_in(client)


def test_colleagues_behind_a_spraying_address_sign_in_until_its_ceiling(people):
    limit = settings.LOCKOUT_ADDRESS_FAILURES
    # A few guesses on each of many usernames: never five on one, so no pair lock.
    usernames = [f"guess.{n}" for n in range(limit)]
    for username in usernames[:-1]:
        assert fail(username, OFFICE).status_code == 200
    # One short of the ceiling, her colleagues at the office sign in…
    client, response = sign_in("staff.osaka", DEMO_PASSWORD, OFFICE)
    assert response.status_code == 302 and signed_in(client)
    # …and signing in does not wipe the attacker's count: the next guess stops the address.
    locked = fail(usernames[-1], OFFICE)
    assert locked.status_code == 429
    assert "from this network" in locked.content.decode()
    client, response = sign_in("staff.tokyo", DEMO_PASSWORD, OFFICE)
    assert response.status_code == 429 and not signed_in(client)
    # Elsewhere nobody notices.
    assert signed_in(sign_in("staff.tokyo", DEMO_PASSWORD, ELSEWHERE)[0])


def test_an_administrator_unlocks_an_account_in_django_admin(people):
    for attacker in range(5):
        fail("staff.tokyo", f"192.0.2.{attacker + 1}", 2)
    assert sign_in("staff.tokyo", DEMO_PASSWORD, ELSEWHERE)[1].status_code == 429
    admin = administrator(people["admin"])
    attempts = AccessAttempt.objects.filter(username="staff.tokyo")
    assert admin.get("/admin/axes/accessattempt/?q=staff.tokyo").status_code == 200
    response = admin.post(
        "/admin/axes/accessattempt/",
        {
            "action": "delete_selected",
            "_selected_action": [str(pk) for pk in attempts.values_list("pk", flat=True)],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not attempts.exists()
    client, response = sign_in("staff.tokyo", DEMO_PASSWORD, ELSEWHERE)
    assert response.status_code == 302 and signed_in(client)


def test_axes_reset_commands_lift_the_ceilings_too(people):
    for username in [f"guess.{n}" for n in range(settings.LOCKOUT_ADDRESS_FAILURES)]:
        fail(username, OFFICE)
    assert sign_in("staff.tokyo", DEMO_PASSWORD, OFFICE)[1].status_code == 429
    call_command("axes_reset_ip", OFFICE)
    assert signed_in(sign_in("staff.tokyo", DEMO_PASSWORD, OFFICE)[0])


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1"),  # no proxy of ours: the header is the client's own words
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # a forged entry on the left is ignored
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.9", "203.0.113.5"),  # load balancer and nginx
        (2, "203.0.113.5", "203.0.113.5"),  # fewer entries than proxies: the leftmost
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_the_client_address_is_read_behind_the_configured_proxies(proxies, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == expected


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_forged_forwarded_address_does_not_dodge_the_lock(people):
    """The attacker's five guesses each claim another origin: behind our proxy they all
    count against the address the proxy saw."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, {ATTACKER}")
        response = client.post(
            "/accounts/login/", {"username": "staff.tokyo", "password": "wrong-password-1234"}
        )
    assert response.status_code == 429

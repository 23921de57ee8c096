"""Re-authentication before the gravest acts (accounts/reauth.py): approving a decision and
changing roles in Django admin ask for her password again once the last confirmation (or
sign-in) is more than a few minutes old; an interrupted approval is not replayed but comes
back as typed."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import Membership
from tests.conftest import DEMO_PASSWORD
from tests.helpers import client_for, file_report
from tests.incidents.test_decisions import propose, revision

STALE = timedelta(seconds=settings.REAUTH_MAX_AGE_SECONDS + 60)
REASON = "Agreed: threats on three visits, the refusal is proportionate."


def verified(user) -> Client:
    """Signed in and past the second factor her role asks for."""
    client = client_for(user, language="en")
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


@pytest.fixture
def refusal(demo):
    report = file_report(demo["staff.tokyo"], candidate_id_entered="SR70000001")
    case_file = report.candidate.case_file
    return propose(case_file, demo["supervisor.tokyo"], "testing_refused")


@pytest.fixture
def start():
    return timezone.now()


def urls(decision) -> tuple[str, str]:
    case_file_id = decision.case_file_id
    return (
        f"/cases/{case_file_id}/",
        f"/cases/{case_file_id}/decisions/{decision.pk}/approve/",
    )


def test_an_approval_right_after_signing_in_needs_no_second_password(demo, refusal):
    manager = verified(demo["manager"])
    case_url, approve_url = urls(refusal)
    response = manager.post(
        approve_url, {"revision": revision(refusal.case_file), "reason": REASON}
    )
    assert response.status_code == 302 and response["Location"].startswith(case_url)
    refusal.refresh_from_db()
    assert refusal.state == "in_force"


def test_a_later_approval_asks_for_her_password_and_keeps_what_she_typed(demo, refusal, start):
    with time_machine.travel(start, tick=False):
        manager = verified(demo["manager"])
    case_url, approve_url = urls(refusal)
    seen = revision(refusal.case_file)
    with time_machine.travel(start + STALE, tick=False):
        response = manager.post(approve_url, {"revision": seen, "reason": REASON})
        # Not approved: off to confirm, to come back to the case file's decisions.
        assert response.status_code == 302
        confirm_url = response["Location"]
        assert confirm_url == "/accounts/confirm/?" + urlencode({"next": f"{case_url}#decisions"})
        refusal.refresh_from_db()
        assert refusal.state == "proposed"
        page = manager.get(confirm_url).content.decode()
        assert "Confirm it is you" in page and 'type="password"' in page
        assert "Nothing was sent yet. What you typed is kept" in page
        wrong = manager.post(confirm_url, {"password": "not-her-password", "next": case_url})
        assert wrong.status_code == 422
        assert "This is not your password." in wrong.content.decode()
        right = manager.post(confirm_url, {"password": DEMO_PASSWORD, "next": case_url})
        assert right.status_code == 302 and right["Location"] == case_url
        # Back on the case file, the approval form holds her reason; she sends it again.
        page = manager.get(case_url).content.decode()
        assert REASON in page
        assert manager.get(case_url).content.decode().count(REASON) == 0  # kept once only
        response = manager.post(approve_url, {"revision": seen, "reason": REASON})
    assert response.status_code == 302 and response["Location"].startswith(case_url)
    refusal.refresh_from_db()
    assert refusal.state == "in_force"


def test_the_confirmation_returns_only_to_a_page_of_the_portal(demo, start):
    with time_machine.travel(start, tick=False):
        manager = verified(demo["manager"])
        response = manager.post(
            "/accounts/confirm/", {"password": DEMO_PASSWORD, "next": "https://evil.example/"}
        )
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize(
    "page",
    [
        "/admin/accounts/user/{user}/change/",
        "/admin/accounts/user/add/",
        "/admin/accounts/membership/{membership}/change/",
        "/admin/accounts/membership/add/",
    ],
)
def test_changing_roles_in_django_admin_asks_for_her_password_again(demo, start, page):
    staff = demo["staff.tokyo"]
    url = page.format(user=staff.pk, membership=Membership.objects.filter(user=staff)[0].pk)
    with time_machine.travel(start, tick=False):
        admin = verified(demo["admin"])
        assert admin.get(url).status_code == 200  # she has just signed in
    with time_machine.travel(start + STALE, tick=False):
        response = admin.get(url)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/confirm/?" + urlencode({"next": url})
        confirmed = admin.post(response["Location"], {"password": DEMO_PASSWORD, "next": url})
        assert confirmed["Location"] == url
        assert admin.get(url).status_code == 200


def test_an_admin_list_action_asks_too_but_reading_the_list_does_not(demo, start):
    staff = demo["staff.tokyo"]
    with time_machine.travel(start, tick=False):
        admin = verified(demo["admin"])
    with time_machine.travel(start + STALE, tick=False):
        assert admin.get("/admin/accounts/membership/").status_code == 200
        memberships = list(Membership.objects.filter(user=staff).values_list("pk", flat=True))
        response = admin.post(
            "/admin/accounts/membership/",
            {
                "action": "delete_selected",
                "_selected_action": [str(pk) for pk in memberships],
                "post": "yes",
            },
        )
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/confirm/")
    assert Membership.objects.filter(pk__in=memberships).count() == len(memberships)

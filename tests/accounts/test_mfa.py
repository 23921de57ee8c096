"""The second factor (mfa/, issue 11 item 1): who is asked, the half-signed-in session that can
do nothing but give it, TOTP codes right, wrong and replayed, recovery codes used once,
enrolment, an administrator's reset, and production refusing the demo's known secret."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import User
from mfa.demo import demo_totp_code
from mfa.models import RecoveryCodeDevice
from mfa.services import recovery_codes_issue
from tests.conftest import DEMO_PASSWORD
from tests.helpers import client_for
from tests.test_settings import PRODUCTION, manage

STEP = "/accounts/second-factor/"


def half_signed_in(username: str, next_path: str = ""):
    """A client that gave the right password for ``username`` and nothing more."""
    client = client_for(None, language="en")
    login = "/accounts/login/" + (f"?next={next_path}" if next_path else "")
    response = client.post(login, {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client, response


def give_code(client, code: str, next_path: str = "/"):
    return client.post(STEP, {"totp-code": code, "next": next_path})


# --- Who is asked -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username", ["supervisor.tokyo", "supervisor.osaka", "manager", "legal", "admin", "care"]
)
def test_privileged_roles_go_from_the_password_to_the_second_factor(demo, username):
    client, response = half_signed_in(username, next_path="/policy/")
    assert response["Location"] == f"{STEP}?next=/policy/"
    assert client.get("/").status_code == 302  # not signed in yet, for any page


def test_front_desk_staff_sign_in_with_the_password_alone(demo):
    client, response = half_signed_in("staff.tokyo")
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_setting_asks_every_role_for_a_second_factor(demo, settings):
    settings.MFA_REQUIRED_FOR_EVERY_ROLE = True
    client, response = half_signed_in("staff.tokyo")
    # Staff have no device yet: the step sends her to set one up.
    assert response["Location"] == f"{STEP}?next=/"
    assert client.get(STEP)["Location"].startswith(reverse("mfa:devices"))


def test_staff_who_enrolled_of_their_own_accord_are_asked_too(demo):
    TOTPDevice.objects.create(user=demo["staff.tokyo"], name="own phone", confirmed=True)
    _client, response = half_signed_in("staff.tokyo")
    assert response["Location"] == f"{STEP}?next=/"


def test_a_misspelt_role_in_the_setting_fails_the_system_check(settings):
    from mfa.checks import required_roles_exist

    settings.MFA_REQUIRED_ROLES = ["manager", "supervisour"]
    errors = required_roles_exist()
    assert [e.id for e in errors] == ["mfa.E001"] and "supervisour" in errors[0].msg


# --- The half-signed-in session ------------------------------------------------------------------

# A page of every kind: home, the reporter's pages, the review queue, case files, check-in,
# escalations, the policy, the profile and password, Django admin (index, a list, a form), the
# API (when it exists it is behind the same middleware).
EVERY_KIND = [
    "/",
    "/incidents/new/",
    "/incidents/mine/",
    "/review/",
    "/cases/",
    "/checkin/",
    "/escalations/",
    "/policy/",
    "/policy/versions/",
    "/accounts/profile/",
    "/accounts/password_change/",
    "/admin/",
    "/admin/accounts/user/",
    "/admin/accounts/user/1/change/",
]


@pytest.mark.parametrize("username", ["supervisor.tokyo", "admin"])
def test_a_half_signed_in_session_reaches_no_page_but_the_factor_step(demo, username):
    client, _ = half_signed_in(username)
    for path in EVERY_KIND:
        response = client.get(path)
        assert response.status_code == 302, path
        assert (
            response["Location"] == f"{STEP}?next={path.replace('/', '%2F')}"
            or response["Location"] == f"{STEP}?next={path}"
        ), (path, response["Location"])
    # Nor may it write: a form posted half signed in changes nothing.
    before = User.objects.get(username=username).language
    response = client.post("/accounts/profile/", {"language": "en" if before == "ja" else "ja"})
    assert response.status_code == 302 and response["Location"].startswith(STEP)
    assert User.objects.get(username=username).language == before
    # What it may open: the step, the sign-in page, the idle warning's status, and sign-out.
    assert client.get(STEP).status_code == 200
    assert client.get("/accounts/login/").status_code == 200
    assert client.get(reverse("session_status")).json()["signed_in"]  # the idle warning's
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get(STEP).status_code == 302  # signed out now
    assert "_auth_user_id" not in client.session


def test_the_half_signed_in_page_offers_nothing_of_her_role(demo):
    client, _ = half_signed_in("manager")
    page = client.get(STEP).content.decode()
    assert "Confirm it is you" in page
    assert reverse("review:queue") not in page and reverse("cases:list") not in page
    assert 'id="bell"' not in page  # not even how many escalations wait
    # Once she gave it, her pages are hers again, with her sign-in security in the user menu.
    page = client_for(demo["manager"]).get("/").content.decode()
    assert 'id="bell"' in page and reverse("mfa:devices") in page


def test_admins_own_sign_in_form_is_never_offered(demo):
    response = client_for(None).get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
    client, _ = half_signed_in("admin")
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"] == f"{STEP}?next=/admin/"


# --- TOTP -------------------------------------------------------------------------------------


def test_the_right_code_signs_her_in_and_takes_her_where_she_was_going(demo):
    client, _ = half_signed_in("supervisor.tokyo", next_path="/review/")
    key_before = client.session.session_key
    response = give_code(client, demo_totp_code(demo["supervisor.tokyo"]), "/review/")
    assert response.status_code == 302 and response["Location"] == "/review/"
    assert client.get("/review/").status_code == 200
    # A new session key once the factor is given (no fixation across the step).
    assert client.session.session_key != key_before


def test_a_wrong_code_is_refused_with_a_message_and_she_stays_at_the_step(demo):
    client, _ = half_signed_in("supervisor.tokyo")
    right = demo_totp_code(demo["supervisor.tokyo"])
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = give_code(client, wrong)
    assert response.status_code == 400
    assert "This code is wrong or was already used" in response.content.decode()
    assert client.get("/").status_code == 302
    # Right after a wrong one, the next try must wait (django-otp's throttling, 1 s, 2 s…).
    response = give_code(client, right)
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()


def test_a_code_used_once_is_refused_the_second_time(demo):
    first, _ = half_signed_in("manager")
    code = demo_totp_code(demo["manager"])
    assert give_code(first, code)["Location"] == "/"
    second, _ = half_signed_in("manager")
    response = give_code(second, code)
    assert response.status_code == 400
    assert second.get("/").status_code == 302


def test_the_demo_command_prints_a_code_that_signs_in(demo):
    import io

    out = io.StringIO()
    call_command("demo_totp", "legal", stdout=out)
    client, _ = half_signed_in("legal")
    assert give_code(client, out.getvalue().strip())["Location"] == "/"


# --- Recovery codes ------------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once_and_leads_to_her_devices(demo):
    codes = recovery_codes_issue(user=demo["legal"])
    assert len(codes) == 10 and len(set(codes)) == 10
    # Stored as digests only.
    stored = RecoveryCodeDevice.objects.get(user=demo["legal"]).codes.values_list(
        "digest", flat=True
    )
    assert not set(codes) & set(stored)
    client, _ = half_signed_in("legal")
    response = client.post(STEP, {"recovery-recovery_code": codes[3].lower(), "next": "/"})
    assert response["Location"] == reverse("mfa:devices")
    page = client.get(reverse("mfa:devices")).content.decode()
    assert "9 are left" in page or "9 unused recovery codes" in page
    again, _ = half_signed_in("legal")
    response = again.post(STEP, {"recovery-recovery_code": codes[3], "next": "/"})
    assert response.status_code == 400
    assert "This recovery code is wrong or was already used" in response.content.decode()
    assert again.get("/").status_code == 302


# --- Enrolment and loss of a device ------------------------------------------------------------


def _enrol_app(client, next_path="/"):
    page = client.get(f"{reverse('mfa:totp_enrol')}?next={next_path}").content.decode()
    assert "<svg" in page  # the QR code, drawn on the server
    secret = re.search(r"data-totp-secret>([A-Z2-7 ]+)<", page).group(1).replace(" ", "")
    device = TOTPDevice.objects.get(confirmed=False, key__isnull=False, name="pending")
    assert device.config_url.split("secret=")[1].startswith(secret)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    return client.post(
        reverse("mfa:totp_enrol"),
        {"code": f"{totp.token():06d}", "name": "Work phone", "next": next_path},
    )


def test_an_administrator_resets_a_lost_device_and_she_enrols_again(demo):
    supervisor = demo["supervisor.osaka"]
    recovery_codes_issue(user=supervisor)
    admin = client_for(demo["admin"], language="en")
    response = admin.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [supervisor.pk]},
        follow=True,
    )
    assert "The second factor of 1 user was reset" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    assert not RecoveryCodeDevice.objects.filter(user=supervisor).exists()
    # Recorded in her change history, with who did it.
    event = supervisor.events.filter(pgh_label="second_factor.reset").get()
    assert event.pgh_context.metadata["user"] == demo["admin"].pk

    # Her next sign-in: the step sends her to set up a device; until then nothing else opens.
    client, response = half_signed_in("supervisor.osaka", next_path="/review/")
    response = client.get(response["Location"])
    assert response["Location"] == f"{reverse('mfa:devices')}?next=%2Freview%2F"
    assert client.get("/review/").status_code == 302
    page = client.get(reverse("mfa:devices")).content.decode()
    assert "Your role asks for a second factor" in page
    response = _enrol_app(client, "/review/")
    # The app is on; the recovery codes come next, shown once.
    assert response["Location"] == f"{reverse('mfa:recovery_codes')}?next=%2Freview%2F"
    page = client.get(response["Location"]).content.decode()
    shown = re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", page)
    assert len(shown) == 10
    again = client.get(reverse("mfa:recovery_codes")).content.decode()
    assert shown[0] not in again and "shown only once" in again
    assert client.get("/review/").status_code == 200
    labels = set(supervisor.events.values_list("pgh_label", flat=True))
    assert {"second_factor.enrolled", "second_factor.recovery_codes_issued"} <= labels


def test_only_administrators_may_reset_a_second_factor(demo):
    manager = client_for(demo["manager"])
    manager.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [demo["legal"].pk]},
    )
    assert TOTPDevice.objects.filter(user=demo["legal"]).exists()


def test_half_signed_in_she_cannot_add_a_device_to_those_she_has(demo):
    client, _ = half_signed_in("manager")
    response = client.get(reverse("mfa:totp_enrol"))
    assert response.status_code == 302 and response["Location"].startswith(STEP)
    response = client.post(reverse("otp_webauthn:credential-registration-begin"))
    assert response.status_code == 403
    assert not TOTPDevice.objects.filter(user=demo["manager"], confirmed=False).exists()


def test_she_removes_a_device_but_never_her_last_one(demo):
    manager = demo["manager"]
    client = client_for(manager, language="en")
    only = TOTPDevice.objects.get(user=manager)
    response = client.post(reverse("mfa:remove", args=["totp", only.pk]), follow=True)
    assert "This is your only device" in response.content.decode()
    spare = TOTPDevice.objects.create(user=manager, name="spare", confirmed=True)
    client.post(reverse("mfa:remove", args=["totp", spare.pk]))
    assert not TOTPDevice.objects.filter(pk=spare.pk).exists()
    # Someone else's device is not found.
    other = TOTPDevice.objects.get(user=demo["legal"])
    assert client.post(reverse("mfa:remove", args=["totp", other.pk])).status_code == 404
    assert not WebAuthnCredential.objects.exists()


# --- Production ---------------------------------------------------------------------------------


def test_production_refuses_the_demos_known_second_factor():
    result = manage("check", **PRODUCTION, DEMO_TOTP_SECRET="KVKFKRCPNZQUYMLXOVYDSQKJKZDTSRLD")
    assert result.returncode != 0
    assert "DEMO_TOTP_SECRET is for development only" in result.stderr
    result = manage("demo_totp", "manager", **PRODUCTION)
    assert result.returncode != 0


def test_production_takes_the_passkeys_relying_party_from_site_url():
    code = (
        "from django.conf import settings; "
        "print(settings.OTP_WEBAUTHN_RP_ID, settings.OTP_WEBAUTHN_ALLOWED_ORIGINS, "
        "settings.WEBAUTHN_ORIGIN_FROM_REQUEST, settings.DEMO_TOTP_SECRET == '')"
    )
    result = manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.stdout.split() == [
        "portal.example.com",
        "['https://portal.example.com']",
        "False",
        "True",
    ], result.stderr

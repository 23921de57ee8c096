"""Forged posts: every state-changing address refuses a POST without the CSRF token and one
from another site (a foreign Origin, or over HTTPS a foreign Referer), with 403, and nothing
in the database changes. Each is made by the person who could make it for real, signed in
with her second factor, so only the forgery stands between the post and the change."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents.models import CaseFile, Escalation
from incidents.services import report_attach_evidence
from incidents.services.decisions import decision_propose
from tests.helpers import file_report, pass_second_factor, report_form_data
from tests.incidents.test_decisions import draft, revision
from tests.samples import png_bytes


@pytest.fixture
def world(demo, staff_tokyo, supervisor_tokyo):
    return make_world(staff_tokyo, supervisor_tokyo)


def make_world(staff_tokyo, supervisor_tokyo) -> dict:
    """One object of each kind the forms act on, all of Tokyo's."""
    report = file_report(
        staff_tokyo,
        candidate_id_entered="SC00000001",
        support_requested=True,
        categories=("physical_attack",),
    )
    pending = file_report(staff_tokyo, submit=False, narrative="Half written.")
    (photo,), _ = report_attach_evidence(
        report=pending,
        files=[SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")],
        by=staff_tokyo,
    )
    case_file = CaseFile.objects.get(candidate__candidate_id="SC00000001")
    refusal = decision_propose(
        case_file=case_file,
        by=supervisor_tokyo,
        expected_revision=revision(case_file),
        draft=draft("testing_refused"),
    )
    device = TOTPDevice.objects.create(user=supervisor_tokyo, name="phone", confirmed=True)
    escalation = Escalation.objects.filter(report=report).first()
    return {
        "report": report,
        "draft": pending,
        "photo": photo,
        "case_file": case_file,
        "refusal": refusal,
        "device": device,
        "escalation": escalation,
    }


def forms(world) -> list[tuple[str, str, dict]]:
    """(who, address, what she would post) for every state-changing address."""
    ref = world["report"].reference
    draft_id = world["draft"].public_id
    case = world["case_file"].pk
    refusal = world["refusal"].pk
    center = world["report"].center_id
    note = {"text": "Forged."}
    return [
        ("staff.tokyo", "/incidents/new/", report_form_data(center)),
        ("staff.tokyo", "/incidents/new/autosave/", report_form_data(center, action=None)),
        ("staff.tokyo", f"/incidents/drafts/{draft_id}/", report_form_data(center)),
        ("staff.tokyo", f"/incidents/drafts/{draft_id}/autosave/", {"narrative": "Forged."}),
        ("staff.tokyo", f"/incidents/drafts/{draft_id}/withdraw/", {}),
        ("staff.tokyo", f"/incidents/drafts/{draft_id}/discard/", {}),
        ("staff.tokyo", f"/incidents/drafts/{draft_id}/evidence/", {}),
        (
            "staff.tokyo",
            f"/incidents/drafts/{draft_id}/evidence/{world['photo'].pk}/remove/",
            {},
        ),
        ("staff.tokyo", f"/incidents/{ref}/addenda/", note),
        ("staff.tokyo", "/incidents/notices/read/", {}),
        ("supervisor.tokyo", f"/incidents/{ref}/review/status/", {"status": "under_review"}),
        ("supervisor.tokyo", f"/incidents/{ref}/review/correct/", {"severity": "low"}),
        ("supervisor.tokyo", f"/incidents/{ref}/review/note/", note),
        ("supervisor.tokyo", f"/incidents/{ref}/review/question/", {"question": "Forged?"}),
        ("supervisor.tokyo", f"/incidents/{ref}/review/link/", {"candidate_id": "SC00000009"}),
        ("supervisor.tokyo", f"/incidents/{ref}/support/", {"note": "Forged."}),
        ("supervisor.tokyo", f"/cases/{case}/status/", {"status": "closed"}),
        ("supervisor.tokyo", f"/cases/{case}/notes/", note),
        ("supervisor.tokyo", f"/cases/{case}/merge/", {"candidate_id": "SC00000009"}),
        (
            "supervisor.tokyo",
            f"/cases/{case}/decisions/",
            {"outcome": "no_action", "rationale": "Forged.", "categories": ["verbal_abuse"]},
        ),
        ("manager", f"/cases/{case}/decisions/{refusal}/approve/", {"reason": "Forged."}),
        ("manager", f"/cases/{case}/decisions/{refusal}/reject/", {"reason": "Forged."}),
        ("legal", f"/cases/{case}/legal-hold/", {"reason": "Forged."}),
        (
            "legal",
            f"/cases/{case}/disclosures/",
            {"recipient_kind": "police", "recipient_name": "Forged", "disclosed": "All."},
        ),
        (
            "legal",
            f"/cases/{case}/summary/",
            {
                "recipient_kind": "police",
                "recipient_name": "Forged",
                "legal_basis": "laws_and_regulations",
                "language": "ja",
            },
        ),
        ("manager", f"/escalations/{world['escalation'].pk}/acknowledge/", {"note": "Forged."}),
        ("staff.tokyo", "/checkin/", {"candidate_id": "SC00000001"}),
        ("staff.tokyo", "/accounts/profile/", {"language": "en"}),
        ("staff.tokyo", "/accounts/session/", {}),
        ("manager", "/accounts/confirm/", {"password": "demo-password-for-tests"}),
        (
            "staff.tokyo",
            "/accounts/password_change/",
            {
                "old_password": "demo-password-for-tests",
                "new_password1": "Forged-Passw0rd-2026",
                "new_password2": "Forged-Passw0rd-2026",
            },
        ),
        ("staff.tokyo", "/accounts/logout/", {}),
        ("staff.tokyo", "/i18n/setlang/", {"language": "en"}),
        ("supervisor.tokyo", "/accounts/second-factor/", {"totp-otp_token": "123456"}),
        ("supervisor.tokyo", "/accounts/second-factor/devices/app/", {"otp_token": "123456"}),
        (
            "supervisor.tokyo",
            f"/accounts/second-factor/devices/totp/{world['device'].pk}/remove/",
            {},
        ),
        ("supervisor.tokyo", "/accounts/second-factor/recovery-codes/", {}),
        ("supervisor.tokyo", "/accounts/second-factor/passkeys/registration/begin/", {}),
        ("admin", "/admin/policy/category/add/", {"code": "forged", "name_ja": "偽"}),
        ("admin", "/admin/accounts/user/add/", {"username": "forged", "staff_code": "X-1"}),
    ]


def snapshot() -> dict[str, int]:
    """How many rows every table of the portal holds (an insert or a delete shows), and
    the change history (every update of a tracked row adds an event)."""
    counts = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            counts[model._meta.label] = model._default_manager.count()
    return counts


def signed_in(user, *, enforce: bool = True) -> Client:
    client = Client(enforce_csrf_checks=enforce, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user, backend="accounts.backends.PortalBackend")
    pass_second_factor(client, user)
    return client


def token_of(client: Client) -> str:
    client.get("/accounts/profile/")
    return client.cookies["csrftoken"].value


# Addresses that only read (GET): a forged POST there has nothing to change.
READ_ONLY = {
    "incidents:mine",
    "incidents:notices",
    "incidents:evidence",
    "incidents:detail",
    "incidents:submitted",
    "review:queue",
    "review:export",
    "incidents:record_sheet",
    "incidents:record_sheet_pdf",
    "cases:list",
    "cases:detail",
    "cases:notice",
    "cases:subject_access",
    "cases:subject_access_json",
    "escalations:inbox",
    "escalations:support",
    "audit:trail",
    "audit:export",
    "mfa:devices",
}


def _named_patterns(resolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_patterns(pattern, inner)
        elif pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_the_battery_covers_every_state_changing_address(demo, world):
    """A new address of the portal's own apps is either read-only or in the list above."""
    ours = {
        name
        for name in _named_patterns(get_resolver())
        if name.split(":")[0] in {"incidents", "review", "cases", "escalations", "checkin", "mfa"}
    }
    listed = {resolve(url.split("?")[0]).view_name for _, url, _ in forms(world)}
    assert ours - READ_ONLY - listed == set()


@pytest.mark.parametrize("attack", ["no token", "foreign origin", "foreign referer"])
def test_a_forged_post_is_refused_and_changes_nothing(demo, world, attack):
    # Signed in (a session row, a sign-in log line) before the count: the posts alone count.
    posts = [(signed_in(demo[role]), url, data) for role, url, data in forms(world)]
    tokens = [token_of(client) for client, _, _ in posts]
    before = snapshot()
    refused = []
    for (client, url, data), token in zip(posts, tokens, strict=True):
        if attack == "no token":
            response = client.post(url, data)
        elif attack == "foreign origin":
            response = client.post(
                url, data, HTTP_X_CSRFTOKEN=token, HTTP_ORIGIN="http://evil.example"
            )
        else:
            response = client.post(
                url,
                data,
                secure=True,
                HTTP_X_CSRFTOKEN=token,
                HTTP_REFERER="https://evil.example/page",
            )
        refused.append((url, response.status_code))
    assert [pair for pair in refused if pair[1] != 403] == []
    after = snapshot()
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}


def test_the_same_post_with_its_token_goes_through(demo, world):
    """The control: the refusals above are the forgery's, not the post's."""
    client = signed_in(demo["supervisor.tokyo"])
    token = token_of(client)
    ref = world["report"].reference
    response = client.post(
        f"/incidents/{ref}/review/note/", {"text": "Real."}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 302
    assert world["report"].notes.filter(text="Real.").exists()

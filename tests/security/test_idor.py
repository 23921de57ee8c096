"""IDOR: every address that names an object (a report by reference, a case file, a decision,
a piece of evidence, a draft, an escalation, a second-factor device), for every person who
must not reach that object, answers 404 to GET and to POST: the same as for an object that
does not exist, so an id or a reference leaks nothing. tests/incidents/test_visibility_matrix.py
tells the roles' pages apart (refused as 403 or 404); this file holds every object address
to the 404 alone, including the ones the matrix does not visit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from incidents.models import CaseFile, Escalation
from incidents.services import report_attach_evidence, report_submit
from incidents.services.decisions import decision_propose
from tests.helpers import client_for, file_report
from tests.incidents.test_decisions import draft, revision
from tests.samples import png_bytes

EVERYONE = (
    "staff.tokyo",
    "staff.osaka",
    "supervisor.tokyo",
    "supervisor.osaka",
    "manager",
    "legal",
    "admin",
    "care",
    "outsider",
)
# Who must not reach each kind of object of Tokyo's (its reporter is staff.tokyo).
NOT_THE_REPORT = ("staff.osaka", "supervisor.osaka", "admin", "care", "outsider")
NOT_THE_CASE_FILE = ("staff.tokyo", *NOT_THE_REPORT)
NOT_THE_DRAFT = tuple(role for role in EVERYONE if role != "staff.tokyo")
NOT_THE_ESCALATION = ("staff.tokyo", "staff.osaka", "supervisor.osaka", "admin", "outsider")
NOT_THE_DEVICE = tuple(role for role in EVERYONE if role != "supervisor.tokyo")


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("arm.png", png_bytes(), content_type="image/png")


@pytest.fixture
def world(demo, staff_tokyo, supervisor_tokyo):
    report = file_report(
        staff_tokyo,
        submit=False,
        candidate_id_entered="SI00000001",
        categories=("physical_attack",),
    )
    (evidence,), _ = report_attach_evidence(report=report, files=[photo()], by=staff_tokyo)
    report = report_submit(report=report, by=staff_tokyo)
    pending = file_report(staff_tokyo, submit=False, narrative="Half written.")
    (draft_evidence,), _ = report_attach_evidence(report=pending, files=[photo()], by=staff_tokyo)
    case_file = CaseFile.objects.get(candidate__candidate_id="SI00000001")
    decision = decision_propose(
        case_file=case_file,
        by=supervisor_tokyo,
        expected_revision=revision(case_file),
        draft=draft("testing_refused"),
    )
    caution = decision_propose(
        case_file=case_file,
        by=supervisor_tokyo,
        expected_revision=revision(case_file),
        draft=draft(),
    )
    return {
        "caution": caution.pk,
        "ref": report.reference,
        "evidence": evidence.pk,
        "draft": pending.public_id,
        "draft_evidence": draft_evidence.pk,
        "case": case_file.pk,
        "decision": decision.pk,
        "escalation": Escalation.objects.filter(report=report).first().pk,
        "device": TOTPDevice.objects.create(user=supervisor_tokyo, name="phone", confirmed=True).pk,
        "passkey": WebAuthnCredential.objects.create(
            user=supervisor_tokyo,
            name="laptop",
            confirmed=True,
            credential_id=b"\x01" * 16,
            public_key=b"\x02" * 32,
            aaguid="00000000-0000-0000-0000-000000000000",
            credential_id_sha256="0" * 64,
        ).pk,
    }


ADDRESSES = {
    "report": (
        NOT_THE_REPORT,
        [
            "/incidents/{ref}/",
            "/incidents/{ref}/submitted/",
            "/incidents/{ref}/addenda/",
            "/incidents/{ref}/review/status/",
            "/incidents/{ref}/review/correct/",
            "/incidents/{ref}/review/note/",
            "/incidents/{ref}/review/question/",
            "/incidents/{ref}/review/link/",
            "/incidents/{ref}/support/",
            "/incidents/evidence/{evidence}/",
        ],
    ),
    "case file": (
        NOT_THE_CASE_FILE,
        [
            "/cases/{case}/",
            "/cases/{case}/status/",
            "/cases/{case}/decisions/",
            "/cases/{case}/decisions/{decision}/approve/",
            "/cases/{case}/decisions/{decision}/reject/",
            "/cases/{case}/decisions/{caution}/notice/",
            "/cases/{case}/notes/",
            "/cases/{case}/merge/",
            "/cases/{case}/legal-hold/",
            "/cases/{case}/subject-access/",
            "/cases/{case}/subject-access.json",
            "/cases/{case}/disclosures/",
        ],
    ),
    "draft": (
        NOT_THE_DRAFT,
        [
            "/incidents/drafts/{draft}/",
            "/incidents/drafts/{draft}/withdraw/",
            "/incidents/drafts/{draft}/autosave/",
            "/incidents/drafts/{draft}/evidence/",
            "/incidents/drafts/{draft}/discard/",
            "/incidents/drafts/{draft}/evidence/{draft_evidence}/remove/",
            "/incidents/evidence/{draft_evidence}/",
        ],
    ),
    "escalation": (NOT_THE_ESCALATION, ["/escalations/{escalation}/acknowledge/"]),
    "device": (
        NOT_THE_DEVICE,
        [
            "/accounts/second-factor/devices/totp/{device}/remove/",
            "/accounts/second-factor/devices/passkey/{passkey}/remove/",
        ],
    ),
}

# An action that takes only POST answers a GET "method not allowed" before it looks anything
# up: the same for every id, so it leaks nothing either. A POST is always looked up: 404.
NOT_FOUND = {"GET": {404, 405}, "POST": {404}}


@pytest.mark.parametrize("kind", list(ADDRESSES))
def test_every_object_address_is_not_found_for_those_it_is_not_for(demo, world, kind):
    roles, templates = ADDRESSES[kind]
    wrong = []
    for role in roles:
        client = client_for(demo[role])
        for template in templates:
            url = template.format(**world)
            got = {"GET": client.get(url).status_code, "POST": client.post(url, {}).status_code}
            for method, status in got.items():
                if status not in NOT_FOUND[method]:
                    wrong.append((role, method, url, status))
    assert wrong == []


@pytest.mark.parametrize("kind", list(ADDRESSES))
def test_the_addresses_are_real_for_those_they_are_for(demo, world, kind):
    """The control: each address reaches its object for someone, so the 404s above are the
    scoping's, not a wrong address."""
    roles, templates = ADDRESSES[kind]
    allowed = [role for role in EVERYONE if role not in roles]
    for template in templates:
        url = template.format(**world)
        statuses = {
            (role, method): getattr(client_for(demo[role]), method)(url).status_code
            for role in allowed
            for method in ("get",)
        }
        assert any(status not in (404,) for status in statuses.values()), (url, statuses)

"""Every page, download, print view, action and e-mail of the portal, for every demo role
and an outsider: what each gets, told apart as the capability policy decides it. "ok" is the
page, the file or a redirect after the action; "refused" is 403 or 404 (the policy says no);
"rules" is 409 or 422 (the role may act, the state of the record does not allow it now).
Tokyo's case file has Tokyo reports only; the shared one has reports from both centers; the
support report (Tokyo) asked for support and carries a photo."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents.models import CaseFile
from incidents.services import report_attach_evidence
from incidents.services.decisions import decision_approve, decision_propose
from outbox.models import Email
from tests.helpers import DEMO_ROLES, client_for, file_report
from tests.incidents.test_decisions import draft, revision
from tests.samples import png_bytes

ROLES = [*DEMO_ROLES, "outsider"]
OK, NO, RULES = "ok", "refused", "rules"

# page -> what each role gets, in the order of ROLES
EXPECTED = {
    "review queue": (NO, NO, OK, OK, OK, OK, NO, NO, NO),
    "case file list": (NO, NO, OK, OK, OK, OK, NO, NO, NO),
    "Tokyo case file": (NO, NO, OK, NO, OK, OK, NO, NO, NO),
    "shared case file": (NO, NO, OK, OK, OK, OK, NO, NO, NO),
    "notice (Tokyo), a print view": (NO, NO, OK, NO, OK, OK, NO, NO, NO),
    "check-in": (OK, OK, OK, OK, OK, OK, NO, NO, NO),
    "Tokyo report": (OK, NO, OK, NO, OK, OK, NO, NO, NO),
    # Staff care reads it as a support request (what that shows: the test below).
    "support report (Tokyo)": (OK, NO, OK, NO, OK, OK, NO, OK, NO),
    "its evidence, downloaded": (OK, NO, OK, NO, OK, OK, NO, NO, NO),
    "the report form": (OK, OK, OK, OK, NO, NO, NO, NO, NO),
    # Those who were told of an escalation (the demo has Osaka's too) and who see them all.
    "escalation inbox": (NO, NO, OK, OK, OK, OK, NO, OK, NO),
    # The first reviewer starts the review; for the next it has started already.
    "start review (Tokyo)": (NO, NO, OK, NO, RULES, RULES, NO, NO, NO),
    "decide (Tokyo case file)": (NO, NO, OK, NO, OK, OK, NO, NO, NO),
    "record support follow-up": (NO, NO, OK, NO, NO, NO, NO, OK, NO),
}


def outcome(status: int) -> str:
    if status in (200, 302):
        return OK
    if status in (403, 404):
        return NO
    if status in (409, 422):
        return RULES
    raise AssertionError(f"unexpected status {status}")


@pytest.fixture
def world(staff_tokyo, staff_osaka, supervisor_tokyo, manager):
    tokyo_report = file_report(staff_tokyo, candidate_id_entered="SR80000001")
    file_report(staff_tokyo, candidate_id_entered="SR80000002")
    file_report(staff_osaka, candidate_id_entered="SR80000002")
    support = file_report(
        staff_tokyo,
        submit=False,
        candidate_id_entered="SR80000003",
        categories=("physical_attack",),
        support_requested=True,
        narrative="The candidate struck the proctor on the arm.",
        demand="A refund of the fee.",
    )
    (photo,), _ = report_attach_evidence(
        report=support,
        files=[SimpleUploadedFile("arm.png", png_bytes(), content_type="image/png")],
        by=staff_tokyo,
    )
    from incidents.services import report_submit

    support = report_submit(report=support, by=staff_tokyo)
    tokyo = CaseFile.objects.get(candidate__candidate_id="SR80000001")
    shared = CaseFile.objects.get(candidate__candidate_id="SR80000002")
    caution = decision_propose(
        case_file=tokyo, by=supervisor_tokyo, expected_revision=revision(tokyo), draft=draft()
    )
    return {
        "report": tokyo_report,
        "support": support,
        "photo": photo,
        "tokyo": tokyo,
        "shared": shared,
        "caution": caution,
    }


def request_page(client, page: str, world):
    report, tokyo, shared = world["report"], world["tokyo"], world["shared"]
    if page == "review queue":
        return client.get("/review/")
    if page == "case file list":
        return client.get("/cases/")
    if page == "Tokyo case file":
        return client.get(f"/cases/{tokyo.pk}/")
    if page == "shared case file":
        return client.get(f"/cases/{shared.pk}/")
    if page == "notice (Tokyo), a print view":
        return client.get(f"/cases/{tokyo.pk}/decisions/{world['caution'].pk}/notice/")
    if page == "check-in":
        return client.get("/checkin/")
    if page == "Tokyo report":
        return client.get(f"/incidents/{report.reference}/")
    if page == "support report (Tokyo)":
        return client.get(f"/incidents/{world['support'].reference}/")
    if page == "its evidence, downloaded":
        return client.get(f"/incidents/evidence/{world['photo'].pk}/")
    if page == "the report form":
        return client.get("/incidents/new/")
    if page == "escalation inbox":
        return client.get("/escalations/")
    if page == "start review (Tokyo)":
        return client.post(
            f"/incidents/{report.reference}/review/status/", {"status": "under_review"}
        )
    if page == "decide (Tokyo case file)":
        tokyo.refresh_from_db()
        return client.post(
            f"/cases/{tokyo.pk}/decisions/",
            {
                "revision": tokyo.revision,
                "outcome": "no_action",
                "demand_legitimacy": "unsure",
                "manner": "unsure",
                "categories": ["verbal_abuse"],
                "rationale": "Nothing more to do.",
            },
        )
    if page == "record support follow-up":
        return client.post(
            f"/incidents/{world['support'].reference}/support/", {"note": "Called her."}
        )
    raise AssertionError(page)


@pytest.mark.parametrize("page", list(EXPECTED))
def test_every_page_for_every_role(demo, world, page):
    got = tuple(
        outcome(request_page(client_for(demo[role]), page, world).status_code) for role in ROLES
    )
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, EXPECTED[page], strict=True))


def test_who_is_emailed_of_a_severe_report_with_a_support_request(demo, world):
    """E-mails are an access path too: the reviewers of the center, managers, legal and the
    staff-care contact are told; the reporter, the other center and the others are not."""
    told = set(Email.objects.filter(key__startswith="notification:").values_list("to", flat=True))
    expected = {"supervisor.tokyo", "manager", "legal", "care"}
    support_emails = {
        email.to
        for email in Email.objects.filter(
            key__in=[
                f"notification:{pk}"
                for pk in world["support"].escalations.values_list("notifications__pk", flat=True)
            ]
        )
    }
    assert {address.split("@")[0] for address in support_emails} == expected
    assert told >= support_emails


def test_the_staff_care_contact_reads_who_asked_and_nothing_of_the_incident(demo, world):
    support = world["support"]
    page = client_for(demo["care"], language="en").get(f"/incidents/{support.reference}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Support request" in text and support.reference in text
    assert demo["staff.tokyo"].staff_code in text and "TKY01" in text
    for hidden in ("struck", "refund", "SR80000003", "arm.png", "/incidents/evidence/"):
        assert hidden not in text, hidden


def test_another_centers_notes_stay_off_a_shared_case_file(
    demo, world, supervisor_tokyo, supervisor_osaka
):
    from incidents.services.triage import note_add

    shared = world["shared"]
    tokyo_report = shared.candidate.reports.get(center__code="TKY01")
    note_add(report=tokyo_report, by=supervisor_tokyo, text="Tokyo internal: see the CCTV.")
    note_add(case_file=shared, by=supervisor_tokyo, text="For both centers: call first.")
    osaka = client_for(supervisor_osaka, language="en").get(f"/cases/{shared.pk}/")
    text = osaka.content.decode()
    assert "For both centers: call first." in text
    assert "Tokyo internal" not in text
    tokyo = client_for(supervisor_tokyo, language="en").get(f"/cases/{shared.pk}/")
    assert "Tokyo internal: see the CCTV." in tokyo.content.decode()


def test_only_legal_sees_who_opened_a_case_file(demo, world):
    for role in ("supervisor.tokyo", "manager", "legal"):
        text = client_for(demo[role], language="en").get(f"/cases/{world['tokyo'].pk}/")
        shown = "Who opened this case file" in text.content.decode()
        assert shown is (role == "legal"), role


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(demo, world):
    client = client_for(None)
    for page in EXPECTED:
        response = request_page(client, page, world)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], page


def test_what_a_refusal_shows_at_check_in_and_hides_everywhere_else(
    demo, world, supervisor_tokyo, manager
):
    tokyo = world["tokyo"]
    refusal = decision_propose(
        case_file=tokyo,
        by=supervisor_tokyo,
        expected_revision=revision(tokyo),
        draft=draft("testing_refused"),
    )
    decision_approve(
        decision=refusal, by=manager, reason="Agreed.", expected_revision=revision(tokyo)
    )
    for role in ("staff.osaka", "supervisor.osaka"):
        page = client_for(demo[role], language="en").post(
            "/checkin/", {"candidate_id": "SR80000001"}
        )
        text = page.content.decode()
        assert "Testing refused until" in text
        assert world["report"].narrative not in text and world["report"].reference not in text

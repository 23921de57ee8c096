"""Stored script in every text a person can type, shown on every page and e-mail that shows
it: the value is there, escaped, and nothing of it is markup. Each field carries its own tag
(``xf-narrative`` …) so that a page that shows it can be told from one that does not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.services import disclosure_record
from incidents.models import CaseFile
from incidents.services import report_add_addendum
from incidents.services.decisions import decision_propose
from incidents.services.reports import support_follow_up_add
from incidents.services.retention import case_file_set_legal_hold
from incidents.services.triage import information_request, note_add
from outbox.models import Email
from tests.helpers import client_for, file_report
from tests.incidents.test_decisions import draft, revision

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}"

# What must never reach a page as markup, and what the escaped value looks like.
RAW = ("<script>alert(1)", "<img src=x onerror")
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_ATTRIBUTE = "&lt;img src=x onerror=alert(1)&gt;"


def payload(tag: str) -> str:
    return f"xf-{tag} {SCRIPT} {ATTRIBUTE} {TEMPLATE}"


REPORT_FIELDS = (
    "narrative",
    "demand",
    "location",
    "staff_response",
    "witnesses",
    "exact_words",
    "injury_details",
    "exam",
    "candidate_name",
    "candidate_contact",
)


def assert_inert(text: str, where: str) -> None:
    for raw in RAW:
        assert raw not in text, f"{raw!r} as markup on {where}"


def assert_shown_escaped(text: str, tag: str, where: str) -> None:
    """The field's value is on the page, escaped, and its template tag was not evaluated."""
    start = text.find(f"xf-{tag} ")
    assert start >= 0, f"{tag} not on {where}"
    shown = text[start : start + 200]
    assert shown.startswith(f"xf-{tag} {ESCAPED_SCRIPT}"), (where, shown)
    assert ESCAPED_ATTRIBUTE in shown and TEMPLATE in shown, (where, shown)


@pytest.fixture
def world(demo, staff_tokyo, supervisor_tokyo, manager, legal, care):
    staff_tokyo.last_name = payload("display-name")[:150]
    staff_tokyo.save(update_fields=["last_name"])
    report = file_report(
        staff_tokyo,
        categories=("physical_attack",),
        candidate_id_entered="SX00000001",
        support_requested=True,
        injury=True,
        **{field: payload(field) for field in REPORT_FIELDS},
    )
    case_file = CaseFile.objects.get(candidate__candidate_id="SX00000001")
    note_add(report=report, by=supervisor_tokyo, text=payload("report-note"))
    note_add(case_file=case_file, by=supervisor_tokyo, text=payload("case-note"))
    information_request(report=report, by=supervisor_tokyo, question=payload("question"))
    report_add_addendum(report=report, by=staff_tokyo, text=payload("addendum"))
    decision_propose(
        case_file=case_file,
        by=supervisor_tokyo,
        expected_revision=revision(case_file),
        draft=draft(
            "testing_refused",
            rationale=payload("rationale"),
            scope="client",
            scope_client=payload("scope")[:200],
            ends_on=timezone.localdate() + timedelta(days=30),
        ),
    )
    support_follow_up_add(report=report, by=care, note=payload("follow-up"))
    disclosure_record(
        case_file=case_file,
        by=legal,
        recipient_kind="police",
        recipient_name=payload("recipient"),
        legal_basis="laws_and_regulations",
        legal_basis_detail=payload("basis"),
        disclosed=payload("disclosed"),
    )
    case_file_set_legal_hold(case_file=case_file, by=legal, reason=payload("hold"))
    return {"report": report, "case_file": case_file}


def test_the_report_page_shows_every_field_escaped(world, demo):
    report = world["report"]
    for role in ("supervisor.tokyo", "staff.tokyo", "manager", "legal"):
        text = client_for(demo[role]).get(f"/incidents/{report.reference}/").content.decode()
        assert_inert(text, f"report page for {role}")
        for tag in (*REPORT_FIELDS, "addendum", "question"):
            assert_shown_escaped(text, tag, f"report page for {role}")
    reviewer = client_for(demo["supervisor.tokyo"])
    text = reviewer.get(f"/incidents/{report.reference}/").content.decode()
    for tag in ("report-note", "follow-up", "display-name"):
        assert_shown_escaped(text, tag, "report page for the reviewer")


def test_the_case_file_shows_notes_decisions_disclosures_and_the_hold_escaped(world, demo):
    url = f"/cases/{world['case_file'].pk}/"
    for role in ("supervisor.tokyo", "manager", "legal"):
        text = client_for(demo[role]).get(url).content.decode()
        assert_inert(text, f"case file for {role}")
        for tag in ("case-note", "rationale", "scope", "candidate_name"):
            assert_shown_escaped(text, tag, f"case file for {role}")
    text = client_for(demo["legal"]).get(url).content.decode()
    for tag in ("recipient", "disclosed", "hold"):
        assert_shown_escaped(text, tag, "case file for legal")


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("supervisor.tokyo", "/review/"),
        ("staff.tokyo", "/incidents/mine/"),
        ("manager", "/escalations/"),
        ("care", "/escalations/support/"),
        ("supervisor.tokyo", "/cases/"),
        ("legal", "/audit/"),
        ("admin", "/audit/"),
        ("staff.tokyo", "/incidents/notices/"),
        ("supervisor.tokyo", "/"),
        ("manager", "/"),
    ],
)
def test_lists_inboxes_and_the_audit_view_render_the_values_inert(world, demo, role, url):
    response = client_for(demo[role]).get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert_inert(text, url)
    assert "49" not in text.replace(TEMPLATE, "") or TEMPLATE in text or "xf-" not in text


def test_the_audit_view_shows_the_changed_text_escaped(world, demo):
    text = client_for(demo["legal"]).get("/audit/").content.decode()
    assert "xf-" in text, "the audit view shows none of the typed text"
    assert_inert(text, "audit view")


def test_the_e_mails_carry_no_typed_text_and_no_markup(world):
    """E-mails carry a reference and a link; the one typed thing they hold is the name of the
    person written to (her own), as text in the plain part and escaped in the HTML part."""
    emails = list(Email.objects.filter(created_at__gte=timezone.now() - timedelta(minutes=5)))
    assert emails, "the report escalated: there are e-mails"
    for email in emails:
        for part in (email.subject, email.body_html):
            assert_inert(part, f"e-mail {email.key}")
            assert "xf-" not in part.replace("xf-display-name", ""), email.key
        assert "xf-" not in email.body_text.replace("xf-display-name", ""), email.key
    to_her = Email.objects.get(key__startswith="information-request:")
    assert payload("display-name") in to_her.body_text, "the plain text is not HTML-escaped"
    assert_shown_escaped(to_her.body_html, "display-name", "the e-mail's HTML part")


def test_a_javascript_post_address_never_becomes_a_link(demo, staff_tokyo, supervisor_tokyo):
    from tests.helpers import report_form_data

    center = staff_tokyo.memberships.first().center
    client = client_for(staff_tokyo)
    response = client.post(
        "/incidents/new/",
        report_form_data(center, channel="online", online_url="javascript:alert(1)"),
    )
    # Refused by the form (only web addresses); if ever stored, it is text, not a link.
    assert response.status_code in (200, 400, 422)
    assert 'href="javascript:' not in response.content.decode().lower()
    report = file_report(staff_tokyo, channel="online", online_url="javascript:alert(1)")
    text = client_for(supervisor_tokyo).get(f"/incidents/{report.reference}/").content.decode()
    assert "javascript:alert(1)" in text
    assert 'href="javascript:' not in text.lower()


def test_policy_text_and_category_names_from_the_admin_render_inert(demo, admin, staff_tokyo):
    from policy.models import Category, PolicyVersion
    from tests.policy.test_admin import _section_formset

    client = client_for(admin, language="en")
    v1 = PolicyVersion.objects.get(number=1)
    client.post(f"/admin/policy/policyversion/{v1.pk}/new-draft/")
    new = PolicyVersion.objects.get(number=2)
    key = new.sections.first().key
    changes = {key: {"heading_en": payload("heading")[:200], "body_en": payload("section")}}
    response = client.post(
        f"/admin/policy/policyversion/{new.pk}/change/", _section_formset(new, **changes)
    )
    assert response.status_code == 302
    client.post(f"/admin/policy/policyversion/{new.pk}/publish/")
    Category.objects.filter(code="verbal_abuse").update(
        name_en=payload("category")[:100], name_ja=payload("category")[:100]
    )
    report = file_report(staff_tokyo)
    reader = client_for(staff_tokyo, language="en")
    pages = {
        "policy": reader.get("/policy/"),
        "report form": reader.get("/incidents/new/"),
        "report": reader.get(f"/incidents/{report.reference}/"),
        "admin sections": client.get(f"/admin/policy/policyversion/{new.pk}/change/"),
        "admin categories": client.get("/admin/policy/category/"),
    }
    for where, response in pages.items():
        assert response.status_code == 200, where
        assert_inert(response.content.decode(), where)
    assert_shown_escaped(pages["policy"].content.decode(), "section", "policy")
    assert_shown_escaped(pages["report form"].content.decode(), "category", "report form")
    assert_shown_escaped(pages["admin categories"].content.decode(), "category", "admin")


def test_every_plain_text_e_mail_template_turns_html_escaping_off():
    """A plain-text part is not HTML: escaped, O'Brien would read O&#x27;Brien."""
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "templates" / "emails"
    texts = sorted(folder.glob("*.txt"))
    assert texts
    missing = [path.name for path in texts if "{% autoescape off %}" not in path.read_text()]
    assert missing == []


def test_the_subject_access_exports_keep_the_values_inert(world, legal):
    import time

    from accounts.reauth import CONFIRMED_AT

    client = client_for(legal)
    session = client.session
    session[CONFIRMED_AT] = int(time.time())  # she gave her password a moment ago
    session.save()
    case_file = world["case_file"]
    page = client.get(f"/cases/{case_file.pk}/subject-access/")
    assert page.status_code == 200
    assert_inert(page.content.decode(), "the subject-access page")
    export = client.get(f"/cases/{case_file.pk}/subject-access.json")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/json")
    assert export["X-Content-Type-Options"] == "nosniff"
    assert export.get("Content-Disposition", "").startswith("attachment")

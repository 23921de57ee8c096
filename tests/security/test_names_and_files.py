"""Names and files as an attacker makes them: header injection through names into e-mail,
bidi and control characters in names and free text, and uploads that are two things at once
(a JPEG that is also an HTML page, an SVG with script named .jpg, a PDF with JavaScript)."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import TestCenter
from incidents.models import Attachment, EscalationRule, IncidentReport
from incidents.services.triage import information_request
from tests.helpers import client_for, deliver_outbox, file_report, report_form_data
from tests.samples import jpeg_bytes, pdf_bytes

INJECTED = "Sato\r\nBcc: x@evil.example\r\nX-Injected: yes"


def test_names_with_header_lines_do_not_reach_e_mail_headers(
    demo, staff_tokyo, supervisor_tokyo, quiet_outbox
):
    staff_tokyo.last_name = INJECTED
    staff_tokyo.save(update_fields=["last_name"])
    TestCenter.objects.filter(code="TKY01").update(name_ja=INJECTED, name_en=INJECTED)
    EscalationRule.objects.update(name_ja=INJECTED, name_en=INJECTED)
    report = file_report(staff_tokyo, categories=("physical_attack",), candidate_name=INJECTED)
    information_request(report=report, by=supervisor_tokyo, question="When?")
    mail.outbox.clear()
    sent = deliver_outbox()
    assert sent >= 2, "the escalation and the question were sent, not refused"
    for message in mail.outbox:
        assert message.recipients() == message.to and len(message.to) == 1
        raw = message.message().as_string()
        headers = raw.split("\n\n", 1)[0]
        assert "Bcc:" not in headers and "X-Injected" not in headers, headers
        assert "evil.example" not in headers


def test_a_candidate_name_with_header_lines_is_filed_without_a_server_error(demo, staff_tokyo):
    center = staff_tokyo.memberships.first().center
    response = client_for(staff_tokyo).post(
        "/incidents/new/", report_form_data(center, candidate_name=INJECTED)
    )
    assert response.status_code in (302, 422)


# Right-to-left override and isolate, zero-width joiner, NUL, escape, backspace, bell.
HIDDEN = ["\u202e", "\u2067", "\u200d", "\x00", "\x1b[31m", "\x08", "\x07"]


@pytest.mark.parametrize("hidden", HIDDEN, ids=["rlo", "rli", "zwj", "nul", "esc", "bs", "bel"])
@pytest.mark.parametrize("field", ["candidate_name", "narrative", "location", "witnesses"])
def test_hidden_characters_in_the_report_never_break_a_page(
    demo, staff_tokyo, supervisor_tokyo, field, hidden
):
    center = staff_tokyo.memberships.first().center
    value = f"before{hidden}gpj.exe after"
    response = client_for(staff_tokyo).post(
        "/incidents/new/", report_form_data(center, **{field: value})
    )
    assert response.status_code in (302, 422)
    page = response.content.decode() if response.status_code == 422 else ""
    if response.status_code == 302:
        report = IncidentReport.objects.filter(reporter=staff_tokyo).latest("pk")
        page = client_for(supervisor_tokyo).get(f"/incidents/{report.reference}/").content.decode()
    assert_markup_intact(page)
    if response.status_code == 302:  # stored: what is shown has no NUL (refused on the form)
        assert "\x00" not in page


def assert_markup_intact(page: str) -> None:
    """The page still closes what it opened: a typed character never ends an element."""
    for tag in ("html", "body", "main", "form", "dl", "table"):
        opened = len(re.findall(rf"<{tag}[\s>]", page))
        closed = page.count(f"</{tag}>")
        assert opened == closed, (tag, opened, closed)


def test_a_display_name_with_an_override_never_breaks_a_page(demo, staff_tokyo, supervisor_tokyo):
    staff_tokyo.last_name = "佐藤\u202egpj.exe"
    staff_tokyo.save(update_fields=["last_name"])
    report = file_report(staff_tokyo)
    for client, url in (
        (client_for(supervisor_tokyo), f"/incidents/{report.reference}/"),
        (client_for(supervisor_tokyo), "/review/"),
        (client_for(staff_tokyo), "/"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert_markup_intact(response.content.decode())


@pytest.mark.parametrize(
    "name", ["invoice\u202egpj.exe", "photo\x00.jpg", "photo\r\n.jpg", "a\u2066b.jpg"]
)
def test_hidden_characters_in_file_names_are_refused_or_dropped(demo, staff_tokyo, name):
    center = staff_tokyo.memberships.first().center
    upload = SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")
    response = client_for(staff_tokyo).post(
        "/incidents/new/", report_form_data(center, action="save", evidence=[upload])
    )
    assert response.status_code in (302, 422)
    for attachment in Attachment.objects.filter(report__reporter=staff_tokyo):
        for shown in (attachment.original_name, attachment.download_name):
            assert not re.search("[\u202a-\u202e\u2066-\u2069\x00-\x1f]", shown), shown


JPEG_AND_HTML = jpeg_bytes() + b"<html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)
PDF_WITH_SCRIPT = pdf_bytes().replace(
    b"<< /Type /Catalog >>",
    b"<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
)
# name -> content, the type the browser declares, whether it is kept (as what its content is)
POLYGLOTS = {
    "photo.jpg.html": (JPEG_AND_HTML, "text/html", True),
    "photo.jpg": (SVG, "image/jpeg", False),
    "invoice.pdf": (PDF_WITH_SCRIPT, "application/pdf", True),
    "page.html": (b"<html><script>alert(1)</script></html>", "text/html", False),
}


@pytest.mark.parametrize("name", list(POLYGLOTS))
def test_a_polyglot_upload_is_refused_or_served_as_an_inert_download(
    demo, staff_tokyo, supervisor_tokyo, name
):
    content, declared, kept = POLYGLOTS[name]
    center = staff_tokyo.memberships.first().center
    upload = SimpleUploadedFile(name, content, content_type=declared)
    response = client_for(staff_tokyo).post(
        "/incidents/new/", report_form_data(center, action="save", evidence=[upload])
    )
    assert response.status_code in (302, 422)
    attachments = Attachment.objects.filter(report__reporter=staff_tokyo)
    assert attachments.exists() is kept
    for attachment in attachments:
        download = client_for(staff_tokyo).get(f"/incidents/evidence/{attachment.pk}/")
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith("attachment;")
        assert download["X-Content-Type-Options"] == "nosniff"
        content_type = download["Content-Type"].split(";")[0].strip().lower()
        assert content_type not in {"text/html", "image/svg+xml", "application/xhtml+xml"}
        assert "text/" not in content_type and "xml" not in content_type
        assert not download["Content-Disposition"].lower().split("filename")[1].count(".html")
        assert "sandbox" in download["Content-Security-Policy"]


def test_a_nul_in_any_posted_field_is_no_server_error(demo):
    """PostgreSQL refuses NUL in text: every form posts one in each field it offers (and a
    hidden field too) and gets a page or a refusal, never a server error."""
    from tests.security.test_csrf import forms, make_world

    world = make_world(demo["staff.tokyo"], demo["supervisor.tokyo"])
    errors = []
    for role, url, data in forms(world):
        if url.startswith(("/accounts/logout/", "/accounts/password_change/", "/admin/")):
            continue
        client = client_for(demo[role])
        client.raise_request_exception = False  # a server error is counted, not raised
        for field in [*data, "next"]:
            poisoned = {**data, field: f"{data.get(field, '')}\x00"}
            if isinstance(data.get(field), list):
                poisoned[field] = [f"{data[field][0]}\x00"]
            status = client.post(url, poisoned).status_code
            if status >= 500:
                errors.append((url, field, status))
    assert errors == []

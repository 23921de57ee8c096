"""The name an evidence file is shown and downloaded under (issue 11): no hidden characters,
and the extension of the type its content was detected as, so the desktop opens a photo as a
photo whatever it was called."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents.filenames import attachment_disposition, download_name, visible_name
from incidents.models import Attachment
from incidents.services import report_attach_evidence, report_submit
from tests.helpers import client_for, file_report
from tests.samples import jpeg_bytes, pdf_bytes

# A JPEG that is also a web page: browsers that open it as HTML run its script.
JPEG_AND_HTML = jpeg_bytes() + b"<html><script>alert(document.cookie)</script></html>"


@pytest.mark.parametrize(
    ("original", "extension", "expected"),
    [
        ("photo.jpg.html", "jpg", "photo.jpg"),
        ("invoice\u202egpj.exe", "pdf", "invoicegpj.pdf"),
        ("受付の写真.jpg", "jpg", "受付の写真.jpg"),
        ("受付の写真.JPEG", "jpg", "受付の写真.JPEG"),
        ("録音", "m4a", "録音.m4a"),
        ("a\u2066b\u2069\u200e\u200f\u061c\u202ac\u202c.pdf", "pdf", "abc.pdf"),
        ("tab\there\nand\u200bzero.png", "png", "tabhereandzero.png"),
        ("../../etc/passwd", "pdf", "_.._etc_passwd.pdf"),
        ("C:\\Users\\staff\\scan.pdf", "pdf", "C:_Users_staff_scan.pdf"),
        ("\u202e", "jpg", "evidence.jpg"),
        (".html", "jpg", "html.jpg"),
    ],
)
def test_the_download_name_is_visible_and_ends_in_the_detected_type(original, extension, expected):
    assert download_name(original, extension) == expected


def test_japanese_survives_and_nothing_hidden_does():
    name = visible_name("報告書\u202e\u2067（控え）.pdf")
    assert name == "報告書（控え）.pdf"


def test_the_disposition_gives_the_utf8_name_and_an_ascii_fallback():
    header = attachment_disposition("受付の写真.jpg")
    assert header.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote('受付の写真.jpg')}" in header
    assert 'filename="evidence.jpg"' in header  # nothing of it is ASCII but the extension
    assert 'filename="scan_1_.pdf"' in attachment_disposition('scan"1".pdf')


@pytest.fixture
def evidence_of(staff_tokyo, evidence_root):
    """A submitted report with one file attached under ``name``: the file and its client."""

    def attach(name: str, content: bytes, content_type: str):
        draft = file_report(staff_tokyo, submit=False)
        upload = SimpleUploadedFile(name, content, content_type=content_type)
        stored, rejected = report_attach_evidence(report=draft, files=[upload], by=staff_tokyo)
        assert not rejected, rejected
        report_submit(report=draft, by=staff_tokyo)
        return Attachment.objects.select_related("report").get(pk=stored[0].pk)

    return attach


def test_a_jpeg_that_is_also_a_web_page_downloads_as_a_jpeg(staff_tokyo, evidence_of):
    attachment = evidence_of("photo.jpg.html", JPEG_AND_HTML, "text/html")
    client = client_for(staff_tokyo, language="en")
    download = client.get(f"/incidents/evidence/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert download["X-Content-Type-Options"] == "nosniff"
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="photo.jpg"' in disposition and "html" not in disposition
    assert b"".join(download.streaming_content) == JPEG_AND_HTML  # the evidence is unchanged
    # Her report shows the same name as the download.
    page = client.get(f"/incidents/{attachment.report.reference}/").content.decode()
    assert "photo.jpg</a>" in page and "photo.jpg.html" not in page


def test_a_stored_name_with_a_right_to_left_override_is_shown_and_served_without_it(
    staff_tokyo, evidence_of
):
    """A row stored before uploads with hidden characters were refused: cleaned on the way
    out, no data migration."""
    attachment = evidence_of("invoice.pdf", pdf_bytes(), "application/pdf")
    Attachment.objects.filter(pk=attachment.pk).update(original_name="invoice\u202egpj.exe")
    client = client_for(staff_tokyo, language="en")
    download = client.get(f"/incidents/evidence/{attachment.pk}/")
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="invoicegpj.pdf"' in download["Content-Disposition"]
    assert "filename*=UTF-8''invoicegpj.pdf" in download["Content-Disposition"]
    page = client.get(f"/incidents/{attachment.report.reference}/").content.decode()
    assert "invoicegpj.pdf" in page and "\u202e" not in page


def test_a_japanese_name_downloads_under_its_japanese_name(staff_tokyo, evidence_of):
    attachment = evidence_of("受付の写真.jpg", jpeg_bytes(), "image/jpeg")
    download = client_for(staff_tokyo).get(f"/incidents/evidence/{attachment.pk}/")
    assert f"filename*=UTF-8''{quote('受付の写真.jpg')}" in download["Content-Disposition"]

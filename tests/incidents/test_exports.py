"""Exports (issue 13): the case summary PDF for the police, the test organiser or a lawyer,
the record sheet of one incident, and the review queue as CSV. Each for whom the policy lets
(404 for everyone else), each naming staff by their codes, the PDF redacted per recipient
and recorded in the case file's disclosure log."""

from __future__ import annotations

import io
import logging
import re
import time
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from accounts.sessions import CONFIRMED_AT
from audit.models import DisclosureLog, LegalBasis, RecipientKind
from incidents.exports.documents import case_summary, record_sheet
from incidents.exports.pdf import laid_out
from incidents.exports.redaction import RECIPIENT_PARTS, Part
from incidents.services import report_attach_evidence, report_submit
from incidents.services.decisions import DecisionDraft, decision_propose
from incidents.services.exports import case_summary_export
from policy.models import Category
from tests.helpers import DEMO_ROLES, client_for, file_report
from tests.samples import png_bytes

ROLES = (*DEMO_ROLES, "outsider")

NARRATIVE = "受付で佐藤美咲さんに対し四十分間大声で暴言を繰り返した。"
EXACT_WORDS = "お前の名前を教えろ、ネットに晒してやる"
RATIONALE = "暴言が繰り返され、業務に支障が出たため注意とする。"


@pytest.fixture
def case(staff_tokyo, supervisor_tokyo, evidence_root):
    """A Tokyo report with a candidate, words, a witness and a photo; a caution in force."""
    draft = file_report(
        staff_tokyo,
        submit=False,
        candidate_id_entered="EX20260001",
        candidate_name="山田太郎",
        candidate_contact="yamada@example.jp",
        narrative=NARRATIVE,
        exact_words=EXACT_WORDS,
        demand="今日中に再受験させろ",
        witnesses="受付の同僚",
        staff_response="上長に連絡し、退出をお願いした。",
    )
    upload = SimpleUploadedFile("受付の写真.png", png_bytes(), content_type="image/png")
    stored, rejected = report_attach_evidence(report=draft, files=[upload], by=staff_tokyo)
    assert not rejected
    report = report_submit(report=draft, by=staff_tokyo)
    case_file = report.candidate.case_file
    decision_propose(
        case_file=case_file,
        by=supervisor_tokyo,
        expected_revision=case_file.revision,
        draft=DecisionDraft(
            outcome="caution",
            demand_legitimacy="no",
            manner="inappropriate",
            rationale=RATIONALE,
            categories=list(Category.objects.filter(code="verbal_abuse")),
        ),
    )
    return report, case_file, stored[0]


def pdf_text(content: bytes) -> tuple[str, set[str]]:
    """The text of every page, and the fonts the PDF embeds."""
    reader = PdfReader(io.BytesIO(content))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return "".join(page.extract_text() for page in reader.pages), fonts


def export_form(**overrides) -> dict:
    data = {
        "recipient_kind": RecipientKind.POLICE,
        "recipient_name": "警視庁 新宿警察署 生活安全課",
        "legal_basis": LegalBasis.PROTECTION_OF_LIFE,
        "legal_basis_detail": "",
        "language": "ja",
    }
    return {**data, **overrides}


# --- The case summary PDF -------------------------------------------------------------------


def test_legal_exports_a_japanese_pdf_for_the_police_and_it_is_logged(case, legal):
    report, case_file, evidence = case
    client = client_for(legal)
    url = f"/cases/{case_file.pk}/summary/"
    assert client.get(url).status_code == 200

    response = client.post(url, export_form())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    text, fonts = pdf_text(response.content)
    assert report.reference in text
    assert "精神的な攻撃（脅迫・暴言・侮辱など）" in text  # the category, in Japanese
    assert "山田太郎" in text and EXACT_WORDS[:8] in text  # the police get identity and words
    assert evidence.sha256[:16] in text  # the evidence with its digest
    assert "TKY-0042" in text  # the reporter by her staff code
    assert "佐藤" not in text and "美咲" not in text  # never her name, even in the narrative
    assert RATIONALE[:8] not in text  # the company's reasoning stays with the company
    # No tofu: the text is set in Noto CJK, the codes and digests in a monospace font;
    # nothing fell back to a font without Japanese glyphs.
    assert any("Noto-Sans-CJK-JP" in font for font in fonts), fonts
    assert all("Noto-Sans-CJK-JP" in font or "Mono" in font for font in fonts), fonts

    disclosure = DisclosureLog.objects.get(case_file=case_file)
    assert disclosure.recorded_by == legal
    assert disclosure.recipient_kind == RecipientKind.POLICE
    assert disclosure.legal_basis == LegalBasis.PROTECTION_OF_LIFE
    assert disclosure.recipient_name == "警視庁 新宿警察署 生活安全課"
    assert report.reference in disclosure.disclosed
    assert "PDF" in disclosure.disclosed
    # The log's line is on the case file, for legal.
    page = client.get(f"/cases/{case_file.pk}/").content.decode()
    assert f'data-disclosure="{disclosure.pk}"' in page
    assert "警視庁 新宿警察署 生活安全課" in page


def test_the_test_organiser_gets_no_staff_data_no_words_no_contact(case, manager):
    report, case_file, evidence = case
    export = case_summary_export(
        case_file=case_file,
        by=manager,
        recipient_kind=RecipientKind.TEST_ORGANISER,
        recipient_name="試験実施団体 事務局",
        legal_basis=LegalBasis.CONSENT,
        language="en",
    )
    text, _fonts = pdf_text(export.pdf)
    assert report.reference in text and "EX20260001" in text
    assert "Threats, insults or abusive language" in text  # in English, as asked
    assert "Caution" in text  # the decision, not its rationale
    for secret in (
        "yamada@example.jp",
        "山田太郎",
        EXACT_WORDS[:8],
        NARRATIVE[:8],
        "受付の同僚",
        RATIONALE[:8],
        evidence.sha256[:16],
        "TKY-0042",
        "TKY-0007",
    ):
        assert secret not in text, secret
    logged = DisclosureLog.objects.get(case_file=case_file)
    assert logged.recipient_kind == RecipientKind.TEST_ORGANISER
    assert "Left out" in logged.disclosed or "除外" in logged.disclosed


def test_the_redaction_table_for_each_recipient(case, legal):
    """What each recipient's summary holds, read from the data the PDF is made of."""
    _report, case_file, _evidence = case
    lawyer = case_summary(legal, case_file, recipient_kind=RecipientKind.LAWYER)
    police = case_summary(legal, case_file, recipient_kind=RecipientKind.POLICE)
    organiser = case_summary(legal, case_file, recipient_kind=RecipientKind.TEST_ORGANISER)

    assert lawyer.decisions[0].rationale == RATIONALE
    assert lawyer.reports[0].witnesses == "受付の同僚"
    assert police.decisions[0].rationale is None
    assert police.candidate_contact == "yamada@example.jp"
    assert organiser.candidate_name is None and organiser.candidate_contact is None
    assert organiser.evidence is None
    assert organiser.reports[0].exact_words is None and organiser.reports[0].narrative is None
    assert organiser.reports[0].reported_by is None
    assert all(line.by is None for line in organiser.timeline)
    # The staff member's name in the narrative became her staff code.
    assert "TKY-0042" in lawyer.reports[0].narrative and "佐藤" not in lawyer.reports[0].narrative
    # The table names every part for every recipient the form offers, and the lawyer gets all.
    assert RECIPIENT_PARTS[RecipientKind.LAWYER] == frozenset(Part)


def test_an_unknown_recipient_kind_is_refused_and_nothing_is_logged(case, legal):
    _report, case_file, _evidence = case
    response = client_for(legal).post(
        f"/cases/{case_file.pk}/summary/", export_form(recipient_kind=RecipientKind.OTHER)
    )
    assert response.status_code == 422
    assert not DisclosureLog.objects.filter(case_file=case_file).exists()


def test_other_as_legal_basis_needs_its_detail(case, legal):
    _report, case_file, _evidence = case
    response = client_for(legal, language="en").post(
        f"/cases/{case_file.pk}/summary/", export_form(legal_basis=LegalBasis.OTHER)
    )
    assert response.status_code == 422
    assert "Explain the legal basis" in response.content.decode()
    assert not DisclosureLog.objects.filter(case_file=case_file).exists()


def test_an_old_confirmation_asks_for_the_password_before_any_pdf(case, legal):
    _report, case_file, _evidence = case
    client = client_for(legal)
    session = client.session
    session[CONFIRMED_AT] = int(time.time()) - 24 * 3600
    session.save()
    response = client.post(f"/cases/{case_file.pk}/summary/", export_form())
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/confirm/")
    assert not DisclosureLog.objects.filter(case_file=case_file).exists()


def test_after_the_password_the_form_comes_back_as_she_had_typed_it(case, legal):
    _report, case_file, _evidence = case
    client = client_for(legal)
    session = client.session
    session[CONFIRMED_AT] = int(time.time()) - 24 * 3600
    session.save()
    url = f"/cases/{case_file.pk}/summary/"
    client.post(
        url, export_form(recipient_kind=RecipientKind.LAWYER, recipient_name="山田法律事務所")
    )
    page = client.get(url).content.decode()
    assert 'value="山田法律事務所"' in page
    assert re.search(r'value="lawyer"[^>]*checked', page)


def test_only_managers_and_legal_export_case_summaries(demo, case):
    _report, case_file, _evidence = case
    url = f"/cases/{case_file.pk}/summary/"
    allowed = set()
    for role in ROLES:
        client = client_for(demo[role])
        if client.get(url).status_code == 200:
            allowed.add(role)
        else:
            assert client.post(url, export_form()).status_code == 404, role
    assert allowed == {"manager", "legal"}
    assert not DisclosureLog.objects.filter(case_file=case_file).exists()


# --- The record sheet ------------------------------------------------------------------------


def test_the_record_sheet_for_who_keeps_its_centers_records(demo, case):
    report, _case_file, _evidence = case
    url = f"/incidents/{report.reference}/record-sheet/"
    allowed = {role for role in ROLES if client_for(demo[role]).get(url).status_code == 200}
    assert allowed == {"supervisor.tokyo", "manager", "legal"}
    assert client_for(demo["staff.osaka"]).get(url + "../record-sheet.pdf").status_code == 404


def test_the_record_sheet_shows_the_record_forms_parts_with_staff_codes(case, supervisor_tokyo):
    report, _case_file, _evidence = case
    page = client_for(supervisor_tokyo).get(f"/incidents/{report.reference}/record-sheet/")
    html = page.content.decode()
    for shown in (report.reference, "EX20260001", "今日中に再受験させろ", "TKY-0042", "注意"):
        assert shown in html, shown
    assert "佐藤" not in html
    assert "css/print.css" in html and "css/record-sheet-screen.css" in html


def test_the_record_sheet_pdf_is_one_japanese_page(case, manager):
    report, _case_file, _evidence = case
    response = client_for(manager).get(f"/incidents/{report.reference}/record-sheet.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text, fonts = pdf_text(response.content)
    assert report.reference in text and "精神的な攻撃" in text
    assert any("Noto-Sans-CJK-JP" in font for font in fonts)


def test_weasyprint_reads_every_rule_of_the_print_style_sheet(case, manager, caplog):
    """A rule WeasyPrint cannot read is dropped with a warning in the server's log at every
    PDF, where it buries the warnings that matter."""
    report, _case_file, _evidence = case
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        response = client_for(manager).get(f"/incidents/{report.reference}/record-sheet.pdf")
    assert response.status_code == 200
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_the_record_sheet_pdf_keeps_the_record_forms_columns_whatever_the_text(case):
    """Two labels and two values to a row, as on the MHLW record form: the columns keep the
    widths the sheet sets, not widths drawn from the text (a long narrative in one cell)."""
    from weasyprint.formatting_structure.boxes import TableBox

    report, _case_file, _evidence = case
    document = laid_out("incidents/exports/record_sheet.html", {"sheet": record_sheet(report)})
    (sheet,) = (b for b in document.pages[0]._page_box.descendants() if isinstance(b, TableBox))
    label, value, second_label, second_value = sheet.column_widths
    assert label == pytest.approx(second_label) and value == pytest.approx(second_value)
    assert label < value


# --- The review queue as CSV -----------------------------------------------------------------


def test_the_queue_csv_has_a_bom_and_neutralises_formulas(staff_tokyo, supervisor_tokyo):
    injected = file_report(staff_tokyo, narrative='=HYPERLINK("http://evil.example","x")')
    response = client_for(supervisor_tokyo).get("/review/export.csv?status=all")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    row = next(line for line in text.splitlines() if injected.reference in line)
    assert "'=HYPERLINK" in row
    assert ",=HYPERLINK" not in row and ',"=HYPERLINK' not in row
    assert "TKY-0042" in row  # the reporter by her code


def test_the_queue_csv_has_the_pages_scope_and_filters(staff_tokyo, staff_osaka, supervisor_osaka):
    tokyo = file_report(staff_tokyo)
    osaka_low = file_report(staff_osaka, categories=("other",))
    osaka_high = file_report(staff_osaka, categories=("physical_attack",))
    client = client_for(supervisor_osaka)
    everything = b"".join(client.get("/review/export.csv?status=all").streaming_content)
    critical = b"".join(
        client.get("/review/export.csv?status=all&severity=critical").streaming_content
    )
    assert osaka_low.reference.encode() in everything
    assert tokyo.reference.encode() not in everything  # not her center
    assert osaka_high.reference.encode() in critical
    assert osaka_low.reference.encode() not in critical


def _queue_csv(client) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        body = b"".join(client.get("/review/export.csv?status=all").streaming_content)
    return len(queries), body.decode("utf-8-sig").splitlines()


def test_the_queue_csv_reads_its_rows_in_as_many_queries_for_one_as_for_many(
    staff_osaka, supervisor_osaka
):
    """Issue 12: an export grows with its rows, never its queries (no query per row, nor per
    chunk of rows for their behaviours)."""
    client = client_for(supervisor_osaka, language="en")
    first = file_report(staff_osaka, categories=("verbal_abuse", "physical_attack"))
    one, lines = _queue_csv(client)
    for _number in range(3):
        file_report(staff_osaka, categories=("other",))
    many, more_lines = _queue_csv(client)
    assert many == one and len(more_lines) == len(lines) + 3
    row = next(line for line in more_lines if first.reference in line)
    # Its behaviours in the policy's order, named in her language; its labels translated.
    names = [
        Category.objects.get(code=code).name_en for code in ("physical_attack", "verbal_abuse")
    ]
    assert " / ".join(names) in row
    assert ",Submitted," in row or ",Under review," in row


@pytest.mark.django_db(transaction=True)
def test_the_queue_csv_streams_its_rows_from_a_cursor_that_is_not_held(
    demo, staff_osaka, supervisor_osaka
):
    """Outside a transaction a server-side cursor is declared WITH HOLD, and PostgreSQL then
    computes and stores the whole export before it sends its first row (0.8 s for 25,000
    rows at a million reports): the export reads its rows in a transaction of its own."""
    report = file_report(staff_osaka)
    with CaptureQueriesContext(connection) as queries:
        response = client_for(supervisor_osaka).get("/review/export.csv?status=all")
        body = b"".join(response.streaming_content)
    assert report.reference.encode() in body
    (declared,) = [q["sql"] for q in queries if q["sql"].startswith("DECLARE")]
    assert "WITH HOLD" not in declared


def test_the_queue_csv_is_for_who_has_the_queue(demo):
    allowed = {
        role
        for role in ROLES
        if client_for(demo[role]).get("/review/export.csv").status_code == 200
    }
    assert allowed == {"supervisor.tokyo", "supervisor.osaka", "manager", "legal"}


def test_the_queue_page_links_its_csv_with_its_filters(supervisor_tokyo):
    page = client_for(supervisor_tokyo).get("/review/?status=all&severity=high")
    assert 'href="/review/export.csv?status=all&amp;severity=high"' in page.content.decode()


def test_the_case_file_and_the_report_link_their_exports(case, legal, supervisor_tokyo):
    report, case_file, _evidence = case
    case_page = client_for(legal).get(f"/cases/{case_file.pk}/").content.decode()
    assert f'href="/cases/{case_file.pk}/summary/"' in case_page
    supervisor_case_page = client_for(supervisor_tokyo).get(f"/cases/{case_file.pk}/")
    assert "/summary/" not in supervisor_case_page.content.decode()
    report_page = client_for(supervisor_tokyo).get(f"/incidents/{report.reference}/")
    assert f'href="/incidents/{report.reference}/record-sheet/"' in report_page.content.decode()


def test_a_refusal_period_reads_in_the_summary(case, legal, manager):
    """A decision's period and scope reach the PDF's data as dates, not text."""
    _report, case_file, _evidence = case
    case_file.refresh_from_db()
    decision_propose(
        case_file=case_file,
        by=legal,
        expected_revision=case_file.revision,
        draft=DecisionDraft(
            outcome="testing_refused",
            demand_legitimacy="no",
            manner="inappropriate",
            rationale="繰り返しのため",
            categories=list(Category.objects.filter(code="verbal_abuse")),
            starts_on=date(2026, 12, 1),
            ends_on=date(2027, 5, 31),
            scope="all_centers",
        ),
    )
    summary = case_summary(manager, case_file, recipient_kind=RecipientKind.TEST_ORGANISER)
    refusal = summary.decisions[-1]
    assert (refusal.starts_on, refusal.ends_on) == (date(2026, 12, 1), date(2027, 5, 31))
    assert refusal.scope

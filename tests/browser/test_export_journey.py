"""Legal hands a case file to the police (issue 13): from the case file, the case summary
form, a PDF downloaded, and the disclosure-log line on the case file afterwards."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from incidents.models import CaseFile
from tests.browser.conftest import sign_in
from tests.helpers import file_report

pytestmark = pytest.mark.browser


@pytest.fixture
def case_file(seeded, django_user_model) -> CaseFile:
    staff = django_user_model.objects.get(username="staff.tokyo")
    report = file_report(staff, candidate_id_entered="PD70000001", narrative="受付で大声の暴言。")
    return CaseFile.objects.get(candidate=report.candidate)


def test_legal_exports_a_case_summary_and_sees_it_in_the_disclosure_log(
    page: Page, case_file: CaseFile
):
    sign_in(page, "legal")
    page.goto(f"/cases/{case_file.pk}/")
    page.locator("[data-case-summary]").click()

    expect(page.locator("h1")).to_contain_text("ケースの概要（PDF）")
    page.get_by_role("radio", name="警察").check()
    page.locator("#id_recipient_name").fill("新宿警察署 生活安全課")
    page.locator("#id_legal_basis").select_option("protection_of_life")
    with page.expect_download() as download_info:
        page.locator("#case-summary-form button[type=submit]").click()
    download = download_info.value
    assert download.suggested_filename.startswith("case-summary-PD70000001-police-")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(_read(download))).pages)
    assert "PD70000001" in text and "受付で大声の暴言。" in text

    page.goto(f"/cases/{case_file.pk}/")
    line = page.locator("#disclosures [data-disclosure]")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("新宿警察署 生活安全課")
    expect(line).to_contain_text("LGL-0001")  # recorded by her staff code


def _read(download) -> bytes:
    with open(download.path(), "rb") as pdf:
        return pdf.read()

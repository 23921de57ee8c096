"""The notice to a candidate as the supervisor prints it: on A4, each language on its own page
and whole, with the company's name, contact and appeal route, in Chromium's own print path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from harassment_portal.demo_notice import DEMO_NOTICE_CONTACT
from incidents.models import CaseFile
from incidents.services.decisions import decision_approve, decision_propose
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.helpers import file_report
from tests.incidents.test_decisions import draft, revision

pytestmark = pytest.mark.browser

# A4 at 96 dpi less the notice's 18 mm side margins, as Chromium lays the page out to print.
A4_PRINTABLE_WIDTH = round((210 - 2 * 18) / 25.4 * 96)


@pytest.fixture
def notice_url(seeded, django_user_model) -> str:
    users = {user.username: user for user in django_user_model.objects.all()}
    file_report(users["staff.tokyo"], candidate_id_entered="SR60000009", narrative="受付で暴言。")
    case_file = CaseFile.objects.get(candidate__candidate_id="SR60000009")
    refusal = decision_propose(
        case_file=case_file,
        by=users["supervisor.tokyo"],
        expected_revision=revision(case_file),
        draft=draft("testing_refused"),
    )
    decision_approve(
        decision=refusal,
        by=users["manager"],
        reason="Agreed.",
        expected_revision=revision(case_file),
    )
    return f"/cases/{case_file.pk}/decisions/{refusal.pk}/notice/"


def test_the_notice_prints_on_two_a4_pages_one_per_language_nothing_cut(
    page: Page, notice_url: str
):
    sign_in(page, "supervisor.tokyo")
    page.set_viewport_size({"width": A4_PRINTABLE_WIDTH, "height": 1000})
    page.goto(notice_url)
    page.emulate_media(media="print")
    assert page.locator("text=" + DEMO_NOTICE_CONTACT["company_name_en"]).first.is_visible()
    assert not page.locator("button", has_text="印刷").is_visible()  # the button stays on screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    ARTIFACTS.mkdir(exist_ok=True)
    Path(ARTIFACTS / "notice-a4.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert pages == 2, f"{pages} pages: see test-artifacts/notice-a4.pdf"

"""What a reporter sees in Chromium when a reviewer asks her a question: the badge in the
navbar, the notice page and the line on her report, at phone, tablet and desktop widths in
both languages; and her profile, where she sets the language of her e-mails."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (360, 768, 1280)
TEXTS = {
    "en": {
        "notice": "A reviewer asked you a question",
        "waiting": "A reviewer asked you a question about this report.",
        "saved": "Your language for e-mails and notifications is saved.",
        "english": "English",
    },
    "ja": {
        "notice": "確認担当者から質問が届きました",
        "waiting": "この報告について確認担当者から1件の質問があります。",
        "saved": "メールと通知の言語を保存しました。",
        "english": "英語",
    },
}


def fits(page: Page) -> None:
    """No sideways scrolling: the page is no wider than the window."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth"), f"{width}px wide"


def in_language(page: Page, language: str) -> None:
    if language == "en":
        page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.fixture
def question(seeded):
    from accounts.models import User
    from incidents.services.triage import information_request
    from tests.helpers import file_report

    report = file_report(User.objects.get(username="staff.tokyo"))
    supervisor = User.objects.get(username="supervisor.tokyo")
    information_request(report=report, by=supervisor, question="Which desk was it?")
    return report


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_reporter_sees_the_question_at_every_width(page: Page, question, language):
    texts = TEXTS[language]
    sign_in(page, "staff.tokyo")
    in_language(page, language)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/")
        badge = page.locator("#notices [data-notice-count]")
        expect(badge).to_be_visible()
        expect(badge).to_have_attribute("data-notice-count", "1")
        fits(page)
        page.goto("/incidents/notices/")
        expect(page.locator("[data-unread]")).to_have_count(1)
        expect(page.get_by_role("link", name=texts["notice"])).to_be_visible()
        fits(page)

    page.locator("#notices").click()
    page.get_by_role("link", name=texts["notice"]).click()
    expect(page).to_have_url(
        f"{page.url.split('/incidents/')[0]}/incidents/{question.reference}/#questions"
    )
    expect(page.locator("[data-question-waiting]")).to_contain_text(texts["waiting"])
    fits(page)
    page.goto("/")
    expect(page.locator("#notices")).to_have_count(0)  # read: the badge is gone


@pytest.mark.parametrize("language", ["ja", "en"])
def test_she_sets_her_email_language_on_her_profile(page: Page, seeded, language):
    from accounts.models import User

    texts = TEXTS[language]
    sign_in(page, "staff.tokyo")
    in_language(page, language)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/accounts/profile/")
        expect(page.locator("main [data-staff-code]")).to_have_text("TKY-0042")
        fits(page)
    page.get_by_label(texts["english"], exact=True).check()
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_text(texts["saved"])).to_be_visible()
    staff = User.objects.get(username="staff.tokyo")
    assert (staff.language, staff.language_chosen) == ("en", True)

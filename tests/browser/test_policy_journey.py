import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_sign_in_switch_to_english_and_read_the_policy_with_its_categories(
    page: Page, seeded
):
    sign_in(page, "staff.tokyo")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_contain_text("佐藤 美咲")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name="Read the harassment policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Prometric Customer Harassment Policy"
    )
    expect(page.get_by_role("heading", name="Dealing with Customer Harassment")).to_be_visible()
    categories = page.locator("[data-category]")
    expect(categories).to_have_count(13)
    expect(page.locator('[data-category="physical_attack"]')).to_contain_text("Critical")

    # The choice is remembered on the next page.
    page.get_by_role("link", name="Version history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Policy versions")


def test_the_menu_collapses_and_opens_on_a_phone_sized_screen(page: Page, seeded):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "staff.tokyo")
    menu_link = page.get_by_role("link", name="ポリシー")
    expect(menu_link).to_be_hidden()
    page.get_by_role("button", name="メニューを開く").click()
    expect(menu_link).to_be_visible()

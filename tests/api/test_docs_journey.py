"""In Chromium, as a member of staff would: from her profile to her tokens page, a new token
shown once, then the API documentation, whose Swagger UI starts under the portal's
Content-Security-Policy (no inline script or style) and lists the endpoints; the tokens page
fits a phone in both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import browser, page, seeded, sign_in  # noqa: F401  (fixtures)
from tests.browser.test_csp import violations  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_she_makes_a_token_and_reads_the_api_docs(page: Page, seeded, violations):  # noqa: F811
    sign_in(page, "staff.tokyo")
    page.goto("/accounts/profile/")
    page.locator("[data-api-tokens-link]").click()
    expect(page.locator("h1")).to_have_text("API トークン")

    page.locator("#id_name").fill("受付システム 東京 2番窓口")
    page.locator("main form button[type=submit]").last.click()
    key = page.locator("[data-token-key]").input_value()
    assert key.startswith("hp_")
    expect(page.locator("[data-status=active]")).to_have_count(1)

    for width in (360, 768, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/accounts/tokens/")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{width}px: {overflow}px too wide"
        assert key not in page.content()  # shown that once
    page.locator("nav form button[name=language][value=en]").click()
    expect(page.locator("h1")).to_have_text("API tokens")
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    page.set_viewport_size({"width": 1280, "height": 800})
    page.locator("main a[href='/api/docs/']").click()
    # Swagger UI (1.4 MB) starts, then asks for the schema, which is generated per request.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Harassment Portal API", timeout=30_000
    )
    expect(
        page.locator(".opblock-summary-path[data-path='/api/v1/candidates/{candidate_id}/status']")
    ).to_be_visible()
    assert violations == []

"""axe-core finds no serious or critical violation on any page of any role, in either language.

axe-core is vendored (tests/browser/vendor/axe-core, from the npm registry) and injected into
each page from disk: no network. The pages are those of tests/browser/role_pages.py, at one
width (1280 px): the layout tests answer for the others. The sign-in page is walked too."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.role_pages import LANGUAGES, ROLES, signed_in, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SOURCE = AXE.read_text(encoding="utf-8") + "\n;undefined"
BLOCKING = ("serious", "critical")

# Each violation as one line: its rule, its impact and the first elements it names.
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.slice(0, 3).map((node) => node.target.join(' ')),
  }));
}"""


def _violations(page: Page, where: str) -> list[str]:
    # Evaluated through DevTools, not added as a <script>: the Content-Security-Policy runs no
    # inline script, and a script Playwright adds from a file is inline to the page.
    page.evaluate(AXE_SOURCE)
    return [
        f"{where}: {violation['impact']} {violation['id']} ({violation['help']}): "
        + ", ".join(violation["nodes"])
        for violation in page.evaluate(RUN_AXE)
        if violation["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("username", ROLES)
def test_no_serious_violation_on_any_page_of_the_role(
    browser: Browser, live_server, seeded, username
):
    problems: list[str] = []
    for language in LANGUAGES:
        with signed_in(browser, live_server.url, username, language) as page:
            for path in walk(page):
                problems += _violations(page, f"[{language}] {path}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_serious_violation_on_the_sign_in_page(browser: Browser, live_server, language):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale=f"{language}-JP", base_url=live_server.url
    )
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        if language != "ja":
            page.locator(f"nav form button[name=language][value={language}]").click()
        page.locator(f"html[lang={language}]").wait_for()
        # And once more with the errors of a failed sign-in on it.
        assert _violations(page, "/accounts/login/") == []
        page.locator("#id_username").fill("nobody")
        page.locator("#id_password").fill("not-the-password")
        page.locator("main form button[type=submit]").click()
        page.locator("main form .invalid-feedback, main .alert").first.wait_for()
        assert _violations(page, "/accounts/login/ with errors") == []
    finally:
        context.close()

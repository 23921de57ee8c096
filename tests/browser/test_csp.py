"""No page of the journeys breaks the Content-Security-Policy (issue 11): Chromium reports
every blocked script, style or connection, both on its console ("Refused to … because it
violates the following Content Security Policy directive") and as a
``securitypolicyviolation`` event, which an init script on every page writes to the console
too. Each test walks a role's journey and asserts that nothing was reported."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.browser.report_steps import go_to_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT = re.compile(r"^/incidents/CH-\d{4}-\d{6}/$")
CASE_FILE = re.compile(r"^/cases/\d+/$")

LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content Security Policy violation: ${event.violatedDirective} blocked `
    + `${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def violations(page: Page) -> list[str]:
    """What Chromium reported on this page's tab, each with the page it was on."""
    found: list[str] = []
    page.context.add_init_script(LISTENER)
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return found


def first_link(page: Page, pattern: re.Pattern) -> str:
    hrefs = page.eval_on_selector_all(
        "main a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    return next(href for href in hrefs if pattern.match(href))


def visit(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response}"
    page.wait_for_load_state("load")


def test_staff_files_a_report_with_steps_autosave_and_the_session_warning(
    page: Page, seeded, settings, violations
):
    settings.SESSION_IDLE_STAFF_SECONDS = 600
    settings.SESSION_WARNING_SECONDS = 120
    start = timezone.now()
    page.clock.install()
    with time_machine.travel(start, tick=True):
        sign_in(page, "staff.tokyo")
        visit(page, "/incidents/new/")
        expect(page.locator("#stepper")).to_be_visible()  # the script ran
        for step in range(2, 7):
            go_to_step(page, step)
        go_to_step(page, 3)
        page.get_by_role("textbox", name="何が起きたか", exact=True).fill("暴言が続いた。")
        expect(page.locator("#saved-status")).to_have_text(re.compile(r"保存しました"))
    with time_machine.travel(start + timedelta(seconds=600 - 90), tick=True):
        page.clock.fast_forward((600 - 90) * 1000)
        expect(page.locator("#session-warning")).to_be_visible()
    with time_machine.travel(start + timedelta(seconds=30), tick=True):
        for path in ("/incidents/mine/", "/policy/", "/policy/versions/", "/checkin/"):
            visit(page, path)
        visit(page, "/incidents/mine/")
        visit(page, first_link(page, REPORT))
    assert not violations, violations


def test_a_supervisor_reviews_opens_a_case_file_and_her_second_factor_pages(
    page: Page, seeded, violations
):
    sign_in(page, "supervisor.tokyo")  # through the second-factor step
    visit(page, "/review/")
    visit(page, first_link(page, REPORT))
    visit(page, "/cases/")
    visit(page, first_link(page, CASE_FILE))
    visit(page, "/escalations/")
    visit(page, "/accounts/second-factor/devices/")
    visit(page, "/accounts/second-factor/devices/app/")
    expect(page.locator("svg").first).to_be_visible()  # the QR code
    visit(page, "/accounts/second-factor/recovery-codes/")
    assert not violations, violations


def test_an_administrator_in_django_admin(page: Page, seeded, violations):
    sign_in(page, "admin")
    for path in (
        "/admin/",
        "/admin/accounts/user/",
        "/admin/policy/policyversion/",
        "/admin/policy/category/",
    ):
        visit(page, path)
    visit(page, "/admin/policy/policyversion/")
    page.locator("#result_list tbody a").first.click()
    page.wait_for_load_state("load")
    visit(page, "/audit/")
    assert not violations, violations

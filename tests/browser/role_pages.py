"""The pages each demo role reaches, as the layout and accessibility tests walk them.

A role's pages are taken from what it is shown, not from a list kept here: every link of its
navbar (the menu, the user menu, the bell), then one page of each kind those pages link to (a
report, a case file, a draft, a policy version, a support request), so that a page a role
gains later is walked without changing the tests. Django admin is out of scope."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import give_second_factor
from tests.conftest import DEMO_PASSWORD

# The demo's people of every kind (seed_demo): one per role, the staff-care contact included.
ROLES = ("staff.tokyo", "supervisor.tokyo", "manager", "legal", "admin", "care")
LANGUAGES = ("ja", "en")

# One page of each kind is enough to see its layout.
FOLLOWED_KINDS = (
    re.compile(r"^/incidents/CH-\d{4}-\d{6}/$"),  # a report
    re.compile(r"^/incidents/CH-\d{4}-\d{6}/support/$"),  # a support request (staff care)
    re.compile(r"^/cases/\d+/$"),  # a case file
    re.compile(r"^/incidents/drafts/[0-9a-f-]{36}/$"),  # a draft, in the report form
    re.compile(r"^/incidents/drafts/[0-9a-f-]{36}/discard/$"),  # discarding a draft
    re.compile(r"^/policy/versions/$"),  # the policy's history
    re.compile(r"^/policy/versions/\d+/$"),  # a policy version
    re.compile(r"^/escalations/support/$"),  # the support requests (staff care)
)

# What each walk must have reached (patterns), lest a changed link quietly leave a kind of page
# unseen.
REPORT, CASE_FILE, DRAFT = r"/incidents/CH-[\d-]+/$", r"/cases/\d+/$", r"/incidents/drafts/"
MUST_REACH = {
    "staff.tokyo": ("/incidents/new/$", DRAFT, REPORT, "/policy/versions/$"),
    "supervisor.tokyo": ("/review/$", CASE_FILE, REPORT, "/escalations/$", "/dashboard/$"),
    "manager": ("/review/$", CASE_FILE, REPORT, "/escalations/$", "/dashboard/$"),
    "legal": ("/review/$", CASE_FILE, REPORT, "/escalations/$", "/audit/$", "/dashboard/$"),
    "admin": ("/policy/$", "/accounts/password_change/$", "/audit/$"),
    "care": ("/escalations/$", "/escalations/support/$", REPORT),
}


@contextmanager
def signed_in(browser: Browser, base_url: str, username: str, language: str) -> Iterator[Page]:
    """A browser of her own, signed in, pages in ``language`` chosen as she would (the
    navbar's switch)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="ja-JP", base_url=base_url
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        give_second_factor(page, username)
        if language != "ja":
            page.locator(f"nav form button[name=language][value={language}]").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        yield page
    finally:
        context.close()


def _internal_links(page: Page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "links => links.map(a => a.getAttribute('href'))")
    return [href.split("#")[0] for href in hrefs if href and href.startswith("/")]


def walk(page: Page) -> Iterator[str]:
    """Open each of the signed-in user's pages in turn; yield its path once it has loaded."""
    to_visit = [
        path
        for path in dict.fromkeys(_internal_links(page, "nav.navbar a[href]"))
        if not path.startswith("/admin/")
    ]
    kinds_found: set[int] = set()
    visited: set[str] = set()
    while to_visit:
        path = to_visit.pop(0)
        if path in visited:
            continue
        visited.add(path)
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path}: {response}"
        yield path
        for link in _internal_links(page, "main a[href]"):
            for index, kind in enumerate(FOLLOWED_KINDS):
                if index not in kinds_found and kind.match(link):
                    kinds_found.add(index)
                    to_visit.append(link)

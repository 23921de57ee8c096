"""Every page of every role fits a phone, a tablet and a desk, in Japanese and English.

For each demo role and language, each page the role reaches (tests/browser/role_pages.py) is
measured at the widths below: the page never scrolls sideways, no visible element of the
navbar or the content sticks out of the screen, nothing in the content scrolls sideways
either, and the navbar's own controls (the language switch, the bell) stay inside the bar:
a supervisor in Japanese once had a 1,429 px page at 1280 px with "English" white on white
outside it. One browser per role and language; the window is resized, not reopened."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.role_pages import LANGUAGES, MUST_REACH, ROLES, signed_in, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A phone, a tablet upright, a tablet lying, a laptop (where the navbar overflowed), a desk;
# the navbar test adds the widths around 1366. Resizing is cheap next to loading a page.
WIDTHS = (360, 768, 1024, 1280, 1920)

# What a user would see stick out, as a list of sentences (empty when all is well).
MEASURE = """() => {
  const width = window.innerWidth;
  const problems = [];
  const describe = (el) => {
    const classes = typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    const text = (el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${classes} "${text}"`;
  };
  const page = document.documentElement.scrollWidth;
  if (page > width) problems.push(`the page is ${page} px wide`);
  const clipping = (el) =>
    ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
  for (const el of document.querySelectorAll('nav.navbar *, main *')) {
    const box = el.getBoundingClientRect();
    // Not displayed, or visually hidden for screen readers only (1 px).
    if (box.width <= 1 && box.height <= 1) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    if (clipping(el) && el.scrollWidth > el.clientWidth + 1
        && !['SELECT', 'INPUT', 'TEXTAREA'].includes(el.tagName)
        && !el.classList.contains('text-truncate')) {
      problems.push(`${describe(el)} scrolls sideways (${el.scrollWidth} > ${el.clientWidth} px)`);
    }
    let ancestor = el.parentElement, clipped = false;
    while (ancestor && ancestor !== document.body) {
      if (clipping(ancestor)) { clipped = true; break; }
      ancestor = ancestor.parentElement;
    }
    if (clipped) continue;  // the scrolling ancestor answers for it
    if (box.left < -1 || box.right > width + 1) {
      problems.push(`${describe(el)} spans ${Math.round(box.left)}-${Math.round(box.right)} px`);
    }
  }
  const bar = document.querySelector('nav.navbar').getBoundingClientRect();
  const controls = document.querySelectorAll(
    'nav.navbar form button, nav.navbar #bell, nav.navbar #notices, nav.navbar .navbar-toggler');
  for (const control of controls) {
    const box = control.getBoundingClientRect();
    if (box.width === 0) continue;  // the toggler on a desk
    if (box.left < bar.left - 1 || box.right > Math.min(bar.right, width) + 1
        || box.top < bar.top - 1 || box.bottom > bar.bottom + 1) {
      problems.push(`${describe(control)} is outside the navbar`);
    }
  }
  return [...new Set(problems)];
}"""


def _misfits(page: Page, path: str) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{path} at {width} px: {problem}" for problem in page.evaluate(MEASURE)]
    return problems


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_the_role_fits_every_width_in_both_languages(
    browser: Browser, live_server, seeded, username
):
    problems: list[str] = []
    for language in LANGUAGES:
        with signed_in(browser, live_server.url, username, language) as page:
            paths = []
            for path in walk(page):
                paths.append(path)
                problems += [f"[{language}] {problem}" for problem in _misfits(page, path)]
            for expected in MUST_REACH[username]:
                assert any(re.match(expected, path) for path in paths), (expected, paths)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_widest_navbar_is_whole_on_a_desk_and_opens_as_a_menu_below(
    browser: Browser, live_server, seeded, language
):
    """A supervisor has the most links (and the bell). From 1200 px every link shows in the
    bar without opening anything; below, the menu button shows them all on the screen."""
    with signed_in(browser, live_server.url, "supervisor.tokyo", language) as page:
        page.goto("/policy/")
        menu = page.locator("#main-nav")
        links = menu.locator(".nav-link")
        count = links.count()
        assert count >= 7  # six pages and her own menu
        for width in (1200, 1280, 1366, 1440, 1920):
            page.set_viewport_size({"width": width, "height": 800})
            for index in range(count):
                expect(links.nth(index)).to_be_visible()
            assert page.evaluate(MEASURE) == [], width
        for width in (360, 768, 1024):
            page.set_viewport_size({"width": width, "height": 800})
            expect(links.first).to_be_hidden()
            page.locator(".navbar-toggler").click()
            expect(menu).to_have_class(re.compile(r"\bshow\b"))  # opened, not still opening
            for index in range(count):
                expect(links.nth(index)).to_be_visible()
            assert page.evaluate(MEASURE) == [], width
            page.locator(".navbar-toggler").click()
            expect(links.first).to_be_hidden()
            expect(menu).not_to_have_class(re.compile(r"\bcollapsing\b"))


def _card_order(page: Page, row: str, first: list[str], then: str) -> None:
    """In the card ``row``, the cells ``first`` (severity, status) are shown above ``then``
    (the reference), and all of them on the screen."""
    card = page.locator(row).first
    expect(card).to_be_visible()
    below = card.locator(then).first.bounding_box()
    assert below is not None
    for cell in first:
        box = card.locator(cell).first.bounding_box()
        assert box is not None, cell
        assert box["y"] + box["height"] <= below["y"] + 1, f"{cell} is not above {then}"
        assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_lists_are_cards_on_a_phone_with_severity_and_status_first(
    browser: Browser, live_server, seeded, language
):
    with signed_in(browser, live_server.url, "staff.tokyo", language) as page:
        page.goto("/incidents/mine/")
        page.set_viewport_size({"width": 360, "height": 800})
        assert page.locator("main thead").bounding_box()["height"] <= 1  # for screen readers
        _card_order(page, "tr[data-report^='CH-']", ["[data-severity]", ".badge.border"], "a")
        behaviours = page.locator("tr[data-report^='CH-'] td.card-wide").first
        assert behaviours.bounding_box()["width"] > 250  # not two characters wide
        page.set_viewport_size({"width": 1280, "height": 800})
        expect(page.locator("main thead")).to_be_visible()

    with signed_in(browser, live_server.url, "supervisor.tokyo", language) as page:
        page.goto("/review/")
        for width in (360, 768):
            page.set_viewport_size({"width": width, "height": 800})
            _card_order(page, "tr[data-reference]", ["[data-severity]", ".badge.border"], "a")
            # The demo's first report asks for support: the sign shows on the card too.
            support = page.locator("tr[data-reference] td[data-set] .bi-heart-pulse-fill")
            expect(support.first).to_be_visible()
        page.set_viewport_size({"width": 1024, "height": 800})
        expect(page.locator("main thead")).to_be_visible()

        page.goto("/cases/")
        page.set_viewport_size({"width": 360, "height": 800})
        _card_order(page, "tr[data-case-file]", ["[data-severity]", ".badge.border"], "a")
        # The filters beyond the candidate ID fold away: the first case file is on the first
        # screen, and the filters are a tap away.
        expect(page.locator("tr[data-case-file]").first).to_be_in_viewport()
        expect(page.locator("#case-filters")).to_be_hidden()
        page.locator("[aria-controls=case-filters]").click()
        expect(page.locator("#case-filters select").first).to_be_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sign_in_page_fits_every_width(browser: Browser, live_server, language):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="ja-JP", base_url=live_server.url
    )
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        if language != "ja":
            page.locator(f"nav form button[name=language][value={language}]").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert _misfits(page, "/accounts/login/") == []
    finally:
        context.close()

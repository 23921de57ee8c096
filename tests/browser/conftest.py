"""Playwright in Debian's Chromium against the live test server.

A failing test leaves a full-page screenshot in ``test-artifacts/`` and, in its report (which CI
prints), what the browser saw: its address, console lines, script errors and the answers of 400
and above. A CI machine keeps no artifacts; the report is what a failure there leaves."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started
from django.test.client import ClientHandler
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import DEMO_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API keeps an event loop running in the test thread while the browser is
# open; the ORM calls that tests and fixtures make around it are still synchronous, so Django's
# guard against async contexts does not apply. Subprocesses never inherit it
# (tests.helpers.child_env).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


class _LiveRequests:
    """The live server's requests under way: a page's own requests (the report form's
    autosave, the session's poll) may still be answered after the test, and a test's end
    empties every table (a transactional test's flush), which deadlocked with such a request
    holding its rows. The page's end waits for them (the test client's requests, answered in
    the test's thread, are not counted)."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()
        request_started.connect(self.started, weak=False, dispatch_uid="live-requests-started")
        request_finished.connect(self.finished, weak=False, dispatch_uid="live-requests-done")

    def started(self, sender, **kwargs) -> None:
        if sender is not ClientHandler:
            with self.changed:
                self.count += 1

    def finished(self, sender, **kwargs) -> None:
        if sender is not ClientHandler:
            with self.changed:
                self.count -= 1
                self.changed.notify_all()

    def wait(self, timeout: float = 10) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.count <= 0, timeout=timeout)


LIVE_REQUESTS = _LiveRequests()


# One browser per module, not per session: while that loop runs, Django keeps the thread's
# database connections per async context, and a connection a later test opened was one the
# end of the session could not see nor close ("database … is being accessed by other users").
@pytest.fixture(scope="module")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not at {CHROMIUM}: apt-get install chromium (see .ci/run)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)
    browser_log = getattr(item, "browser_log", None)
    if report.when == "call" and report.failed and browser_log is not None:
        page = item.funcargs["page"]
        lines = [f"address: {page.url}", *browser_log]
        report.sections.append(("browser log", "\n".join(lines)))


@pytest.fixture
def page(browser: Browser, request, live_server, transactional_db) -> Page:
    # After the database (which then outlives the page): its flush waits for the page's end.
    # A tablet at the center: 1024×768, Japanese first.
    context = browser.new_context(
        viewport={"width": 1024, "height": 768}, locale="ja-JP", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    log: list[str] = []
    request.node.browser_log = log
    page.on("console", lambda message: log.append(f"console {message.type}: {message.text}"))
    page.on("pageerror", lambda error: log.append(f"script error: {error}"))
    page.on(
        "response",
        lambda response: (
            log.append(f"{response.status} {response.request.method} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    page.on(
        "requestfailed", lambda req: log.append(f"failed {req.method} {req.url}: {req.failure}")
    )
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()  # no new request from the page after this
    LIVE_REQUESTS.wait()  # and none still answered when the tables are emptied


@pytest.fixture
def seeded(transactional_db):
    """The demo data, committed so that the live server's thread sees it."""
    from django.core.management import call_command

    call_command("seed_demo", password=DEMO_PASSWORD, verbosity=0)


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    give_second_factor(page, username)
    page.wait_for_url("**/")


def give_second_factor(page: Page, username: str) -> None:
    """At the second-factor step (privileged roles, mfa/), the code of her demo authenticator,
    typed as she would type it from her phone."""
    if "/accounts/second-factor/" not in page.url:
        return
    from accounts.models import User
    from mfa.demo import demo_totp_code

    page.locator("#id_totp-code").fill(demo_totp_code(User.objects.get(username=username)))
    page.locator("#id_totp-code").press("Enter")
    page.wait_for_url(lambda url: "/accounts/second-factor/" not in url)


def sign_out(page: Page) -> None:
    """End the session; the language chosen on this browser stays, as it would."""
    page.context.clear_cookies(name="sessionid")

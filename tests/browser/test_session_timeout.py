"""The idle timeout as a member of staff meets it in the browser: a warning before the end,
"Stay signed in" that keeps her session, and at the end the sign-in page saying why, with the
report she was typing still there afterwards. The server's clock moves with time-machine and
the page's with Playwright's clock: nothing waits for real minutes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from incidents.models import IncidentReport
from tests.browser.conftest import DEMO_PASSWORD, sign_in
from tests.browser.report_steps import go_to_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDLE = 600  # seconds, shortened for the test
WARNING = 120
SAVED = re.compile(r"\d\d:\d\d に保存しました")


@pytest.fixture
def short_sessions(settings):
    settings.SESSION_IDLE_STAFF_SECONDS = IDLE
    settings.SESSION_WARNING_SECONDS = WARNING
    settings.SESSION_REFRESH_SECONDS = 60


def test_a_warning_then_the_end_and_the_draft_survives(page: Page, seeded, short_sessions):
    start = timezone.now()
    page.clock.install()
    with time_machine.travel(start, tick=True):
        sign_in(page, "staff.tokyo")
        page.goto("/incidents/new/")
        go_to_step(page, 3)
        page.get_by_role("textbox", name="何が起きたか", exact=True).fill("暴言が続いた。")
        expect(page.locator("#saved-status")).to_have_text(SAVED)
        warning = page.locator("#session-warning")
        expect(warning).to_be_hidden()
    # Nearly ten minutes on, without a request: the warning, with the minutes left.
    with time_machine.travel(start + timedelta(seconds=IDLE - 90), tick=True):
        page.clock.fast_forward((IDLE - 90) * 1000)
        expect(warning).to_be_visible()
        expect(warning.get_by_role("alert")).to_contain_text("あと2分でセッションが終了します")
    # She does not come back: the session ends and the page goes to the sign-in page.
    with time_machine.travel(start + timedelta(seconds=IDLE + 5), tick=True):
        page.clock.fast_forward(95_000)
        page.wait_for_url(re.compile(r"/accounts/login/\?next="))
        expect(page.locator("main")).to_contain_text(
            "操作のない状態が10分続いたため、セッションが終了しました"
        )
        page.locator("#id_username").fill("staff.tokyo")
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/incidents/"))
        go_to_step(page, 3)
        expect(page.get_by_role("textbox", name="何が起きたか", exact=True)).to_have_value(
            "暴言が続いた。"
        )
    assert IncidentReport.objects.get(narrative="暴言が続いた。").status == "draft"


def test_stay_signed_in_keeps_the_session(page: Page, seeded, short_sessions):
    start = timezone.now()
    page.clock.install()
    with time_machine.travel(start, tick=True):
        sign_in(page, "staff.tokyo")
        page.goto("/policy/")
    with time_machine.travel(start + timedelta(seconds=IDLE - 90), tick=True):
        page.clock.fast_forward((IDLE - 90) * 1000)
        warning = page.locator("#session-warning")
        expect(warning).to_be_visible()
        warning.get_by_role("button", name="サインインを続ける").click()
        expect(warning).to_be_hidden()
    # Past the first end: still signed in.
    with time_machine.travel(start + timedelta(seconds=IDLE + 60), tick=True):
        page.goto("/incidents/mine/")
        assert "/accounts/login/" not in page.url

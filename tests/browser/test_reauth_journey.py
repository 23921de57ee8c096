"""Re-authentication before an approval, as a manager meets it: her sign-in was a while ago,
so approving a refusal of testing asks for her password first, then brings her back to the
case file with her reason still in the form; the second click approves."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.browser.conftest import DEMO_PASSWORD, sign_in
from tests.helpers import file_report
from tests.incidents.test_decisions import propose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "三回の来訪で脅迫が続いたため、受験拒否は妥当。"


def test_an_approval_asks_for_her_password_and_keeps_her_reason(page: Page, seeded):
    report = file_report(
        User.objects.get(username="staff.tokyo"), candidate_id_entered="SR80000001"
    )
    case_file = report.candidate.case_file
    refusal = propose(case_file, User.objects.get(username="supervisor.tokyo"), "testing_refused")
    start = timezone.now()
    with time_machine.travel(start, tick=True):
        sign_in(page, "manager")
    later = start + timedelta(seconds=settings.REAUTH_MAX_AGE_SECONDS + 60)
    with time_machine.travel(later, tick=True):
        page.goto(f"/cases/{case_file.pk}/#decisions")
        approval = page.locator("form", has=page.get_by_role("button", name="承認する"))
        approval.locator("textarea[name=reason]").fill(REASON)
        approval.get_by_role("button", name="承認する").click()
        # Not approved yet: her password first, and the page says why.
        page.wait_for_url(re.compile(r"/accounts/confirm/\?next="))
        expect(page.locator("main")).to_contain_text("入力した内容は残してあるので")
        page.get_by_label("パスワード").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="確認", exact=True).click()
        page.wait_for_url(re.compile(rf"/cases/{case_file.pk}/"))
        approval = page.locator("form", has=page.get_by_role("button", name="承認する"))
        expect(approval.locator("textarea[name=reason]")).to_have_value(REASON)
        refusal.refresh_from_db()
        assert refusal.state == "proposed"
        approval.get_by_role("button", name="承認する").click()
        expect(page.locator("main")).to_contain_text("承認しました。決定は有効になりました。")
    refusal.refresh_from_db()
    assert refusal.state == "in_force"
    assert refusal.decision_reason == REASON

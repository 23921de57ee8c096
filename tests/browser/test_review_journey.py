"""The whole review path in Chromium: a report, its triage, a refusal proposed and approved
under the two-person rule, and what the Osaka check-in desk then sees (and cannot see)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in, sign_out
from tests.browser.report_steps import go_to_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CANDIDATE = "SR20279999"


def test_report_triage_refusal_approval_and_check_in(page: Page, seeded):
    # staff.tokyo files the report through the real form.
    sign_in(page, "staff.tokyo")
    page.get_by_role("button", name="English").click()
    page.goto("/incidents/new/")
    page.get_by_label("In person at check-in").check()
    go_to_step(page, 2)
    page.get_by_label("Candidate ID").fill(CANDIDATE)
    go_to_step(page, 3)
    page.get_by_label("No, the request itself was not legitimate").check()
    page.get_by_role("textbox", name="What happened", exact=True).fill(
        "受付で暴言を繰り返し、名札を撮影した。"
    )
    go_to_step(page, 4)
    page.get_by_label("Threats, insults or abusive language").check()
    page.get_by_role("button", name="Submit the report").click()
    reference = page.locator("#reference").inner_text().strip()
    sign_out(page)

    # supervisor.tokyo finds it in her queue by a Japanese word, and starts the review.
    sign_in(page, "supervisor.tokyo")
    page.goto("/review/?q=暴言")
    row = page.locator(f"tr[data-reference='{reference}']")
    expect(row).to_be_visible()
    row.get_by_role("link", name=reference).click()
    page.get_by_role("button", name="Start the review").click()
    expect(page.get_by_text("The report's status was changed.")).to_be_visible()
    page.get_by_role("link", name="Open the candidate's case file").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CANDIDATE)

    # She proposes to refuse testing at all centers for a year, citing the policy.
    form = page.locator("#decision-form")
    form.get_by_label("No, the request itself was not legitimate").check()
    form.get_by_label("Yes: socially inappropriate, harming the staff's work").check()
    form.get_by_label("Testing refused").check()
    form.get_by_label("Threats, insults or abusive language").check()
    form.get_by_label("Rationale").fill("Forty minutes of abuse; the demand was not legitimate.")
    until = timezone.localdate() + timedelta(days=365)
    form.get_by_label("Refused until").fill(until.isoformat())
    form.get_by_label("Applies to").select_option("all_centers")
    form.get_by_role("button", name="Record the decision").click()
    expect(
        page.get_by_text("Your proposal was recorded. A manager must approve it.")
    ).to_be_visible()
    # The proposer is offered no approval.
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    case_url = page.url.split("#")[0]
    sign_out(page)

    # The manager approves it, with a reason.
    sign_in(page, "manager")
    page.goto(case_url)
    expect(page.locator("[data-state='proposed']")).to_contain_text("Testing refused")
    page.get_by_label("Reason").fill("Agreed: the behaviour is serious and repeated.")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved: the decision is in force.")).to_be_visible()
    expect(page.locator("[data-restriction]")).to_be_visible()
    sign_out(page)

    # A week later, at the Osaka desk: only the restriction, not a word of the incident.
    sign_in(page, "staff.osaka")
    page.goto("/checkin/")
    page.get_by_label("Candidate ID").fill(CANDIDATE.lower())
    page.get_by_role("button", name="Look up").click()
    answer = page.locator("#checkin-answer")
    expect(answer.locator("[data-restriction]")).to_be_visible()
    expect(answer).not_to_contain_text("暴言")
    expect(answer).not_to_contain_text("TKY-0042")
    sign_out(page)

    # supervisor.osaka cannot open the Tokyo report.
    sign_in(page, "supervisor.osaka")
    assert page.goto(f"/incidents/{reference}/").status == 404

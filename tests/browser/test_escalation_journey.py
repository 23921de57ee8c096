"""A physical attack reported in the browser reaches the manager's mailbox through Celery and
SMTP; she follows the link, acknowledges, and the bell quietens."""

import re

import pytest
from playwright.sync_api import Page, expect

from harassment_portal.celery import app
from tests.browser.conftest import sign_in, sign_out
from tests.browser.report_steps import go_to_step
from tests.smtp import body_of, smtp_server
from tests.workers import celery_worker

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def bell(page: Page) -> int:
    badge = page.locator("[data-bell-count]")
    return int(badge.get_attribute("data-bell-count")) if badge.count() else 0


def test_a_physical_attack_reaches_the_manager_who_acknowledges_it(
    page: Page, seeded, live_server, settings
):
    app.control.purge()
    settings.SITE_URL = live_server.url  # the e-mail is written where the report is filed
    with (
        smtp_server() as smtp,
        celery_worker(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port)),
    ):
        sign_in(page, "manager")
        before = bell(page)
        sign_out(page)

        sign_in(page, "staff.tokyo")
        page.get_by_role("button", name="English").click()
        page.goto("/incidents/new/")
        page.get_by_label("In the testing room").check()
        go_to_step(page, 3)
        page.get_by_label("No, the request itself was not legitimate").check()
        page.get_by_role("textbox", name="What happened", exact=True).fill(
            "The candidate struck the proctor."
        )
        go_to_step(page, 4)
        page.get_by_label("Physical attack").check()
        page.get_by_role("button", name="Submit the report").click()
        reference = page.locator("#reference").inner_text().strip()
        sign_out(page)

        (message,) = [
            m for m in smtp.wait_about(reference, 1, seconds=30) if "manager@" in m["To"]
        ] or [None]
        body = body_of(message)
        assert "struck" not in body
        link = re.search(r"https?://\S+/escalations/\S*", body).group(0)

        sign_in(page, "manager")
        assert bell(page) == before + 1
        page.goto(link)
        card = page.locator(f"[data-reference='{reference}']")
        expect(card).to_be_visible()
        card.get_by_label("Note (optional)").fill("Called the Tokyo center.")
        card.get_by_role("button", name="Acknowledge").click()
        expect(page.get_by_text(f"Escalation of {reference} acknowledged.")).to_be_visible()
        assert bell(page) == before

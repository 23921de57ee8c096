"""Moving through the report form's steps, for the browser tests that fill it in."""

from __future__ import annotations

from playwright.sync_api import Page


def go_to_step(page: Page, number: int) -> None:
    """Click "Next" or "Back" until the form shows step ``number`` (1 to 6)."""
    bar = page.locator("#stepper [role=progressbar]")
    for _ in range(6):
        current = int(bar.get_attribute("aria-valuenow"))
        if current == number:
            return
        page.locator("#step-next" if current < number else "#step-back").click()
    raise AssertionError(f"The form did not reach step {number}")

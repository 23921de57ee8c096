"""The dashboard in Chromium: a manager opens it from the menu, keeps Tokyo only and one
period, sees the charts drawn beside their tables, and downloads a table as CSV."""

import csv
import io
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_filters_the_dashboard_and_downloads_a_table(page: Page, seeded):
    sign_in(page, "manager")
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Open the menu").click()  # a tablet: the menu is folded
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()

    month = timezone.localdate().strftime("%Y-%m")
    filters = page.get_by_role("search", name="Dashboard filters")
    filters.get_by_label("From (month)").fill(month)
    filters.get_by_label("To (month)").fill(month)
    filters.get_by_label("Tokyo Test Center").check()
    filters.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**/dashboard/?start={month}&end={month}&center=TKY01")

    # The chart is drawn (Chart.js sized its canvas), its table beside it: Tokyo only.
    centers = page.locator("section#centers")
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart=centers]'))"
    )
    assert page.locator("canvas[data-chart]").count() >= 5
    rows = centers.locator("tbody tr th")
    expect(rows).to_have_text(["Tokyo Test Center"])
    tokyo_reports = centers.locator("tbody tr td").first.inner_text()

    with page.expect_download() as download_info:
        centers.get_by_role("link", name="Download this table (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"dashboard-centers-{month.replace('-', '')}")
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    exported = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert exported[0][:2] == ["Center", "Reports"]
    assert exported[1][:2] == ["Tokyo Test Center", tokyo_reports]
    assert [row[0] for row in exported] == ["Center", "Tokyo Test Center", "All centers"]

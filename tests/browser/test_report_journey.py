import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in, sign_out
from tests.browser.report_steps import go_to_step
from tests.samples import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_file_a_report_with_a_photo_and_read_it_back(page: Page, seeded, tmp_path):
    photo = tmp_path / "名札の写真.jpg"
    photo.write_bytes(jpeg_bytes())

    sign_in(page, "staff.tokyo")
    page.get_by_role("button", name="English").click()
    page.get_by_role("link", name="Report an incident").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report an incident")

    page.get_by_label("In person at check-in").check()
    page.get_by_label("Where").fill("Check-in desk")
    go_to_step(page, 2)
    page.get_by_label("Candidate ID").fill("SR20269999")
    go_to_step(page, 3)
    page.get_by_label("What the candidate demanded").fill("To sit the exam after arriving late.")
    page.get_by_label("No, the request itself was not legitimate").check()
    page.get_by_role("textbox", name="What happened", exact=True).fill(
        "The candidate shouted at the desk for forty minutes and photographed my name badge."
    )
    page.get_by_label("How long it went on (minutes)").fill("40")
    go_to_step(page, 4)
    page.get_by_label("Threats, insults or abusive language").check()
    expect(page.locator("#suggested-severity")).to_have_text("High")
    page.get_by_label("Unauthorized photos, video or recording").check()
    go_to_step(page, 5)
    page.get_by_label("someone was injured", exact=False).check()
    expect(page.locator("#suggested-severity")).to_have_text("Critical")
    page.get_by_label("someone was injured", exact=False).uncheck()
    page.get_by_label("I would like support").check()
    go_to_step(page, 6)
    # Sent as soon as it is chosen (with its progress); the page comes back with it listed.
    page.locator("input[name=evidence]").set_input_files(str(photo))
    expect(page.get_by_role("list", name="Files already attached")).to_contain_text(
        "名札の写真.jpg"
    )

    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your report was submitted")
    reference = page.locator("#reference").inner_text().strip()
    assert re.fullmatch(r"CH-\d{4}-\d{6}", reference)
    expect(page.get_by_text("the staff-care contact will get in touch")).to_be_visible()

    page.get_by_role("link", name="My reports").last.click()
    row = page.locator(f"tr[data-report='{reference}']")
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text("High")
    row.get_by_role("link", name=reference).click()
    expect(page.locator("#narrative")).to_contain_text("photographed my name badge")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="名札の写真.jpg").click()
    download = download_info.value
    assert download.suggested_filename == "名札の写真.jpg"
    assert Path(download.path()).read_bytes() == jpeg_bytes()
    evidence_url = page.get_by_role("link", name="名札の写真.jpg").get_attribute("href")

    # Someone at another center gets "not found" for the report and for its photo.
    sign_out(page)
    sign_in(page, "staff.osaka")
    assert page.goto(f"/incidents/{reference}/").status == 404
    assert page.request.get(evidence_url).status == 404


def test_a_report_with_a_problem_comes_back_with_everything_typed(page: Page, seeded):
    sign_in(page, "staff.tokyo")
    page.goto("/incidents/new/")
    go_to_step(page, 3)
    page.get_by_role("textbox", name="何が起きたか", exact=True).fill("受付で暴言を繰り返された。")
    page.get_by_label("実際の言葉").fill("覚えておけ")
    page.get_by_role("button", name="報告を提出する").click()
    expect(page.get_by_text("直す必要のある問題が")).to_be_visible()
    expect(page.locator("#categories-errors")).to_contain_text("行為を1つ以上選んでください")
    expect(page.get_by_label("実際の言葉")).to_have_value("覚えておけ")
    expect(page.get_by_text("下書きを保存しました。")).to_be_visible()

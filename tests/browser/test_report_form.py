"""The report form as a front-desk employee fills it in, in Japanese, on a tablet (1024 px) and
a phone (360 px): steps, required marks, checks before anything is sent, the autosave, an
ended session, and a refused submission."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from incidents.models import Attachment, IncidentReport
from tests.browser.conftest import DEMO_PASSWORD, sign_in
from tests.browser.report_steps import go_to_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1024, 360]
SAVED = re.compile(r"\d\d:\d\d に保存しました")


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def width(request, page: Page) -> int:
    page.set_viewport_size({"width": request.param, "height": 800})
    return request.param


def open_form(page: Page) -> None:
    sign_in(page, "staff.tokyo")
    page.goto("/incidents/new/")
    expect(page.locator("#step-status")).to_contain_text("ステップ 1 / 6")


def test_the_form_moves_through_its_steps_and_marks_what_is_needed(page: Page, seeded, width):
    open_form(page)
    status = page.locator("#step-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text("ステップ 1 / 6：いつ・どこで")
    expect(page.locator("#step-2")).to_be_hidden()
    expect(page.get_by_role("button", name="戻る")).to_be_hidden()

    page.get_by_role("button", name="次へ").click()
    expect(status).to_have_text("ステップ 2 / 6：受験者")
    expect(page.locator("#step-1")).to_be_hidden()
    expect(page.locator("#step-2")).to_be_visible()
    expect(page.locator("#stepper [role=progressbar]")).to_have_attribute("aria-valuenow", "2")
    # The focus follows the step, so a screen reader starts reading it.
    expect(page.locator("#step-2 legend")).to_be_focused()

    go_to_step(page, 6)
    expect(status).to_have_text("ステップ 6 / 6：証拠")
    expect(page.get_by_role("button", name="次へ")).to_be_hidden()
    page.get_by_role("button", name="戻る").click()
    expect(status).to_have_text("ステップ 5 / 6：被害と支援")

    # What a submission needs is marked, and the mark is explained above the form.
    expect(page.locator("#required-legend")).to_contain_text("* の付いた項目は提出に必要です")
    go_to_step(page, 3)
    narrative = page.get_by_role("textbox", name="何が起きたか", exact=True)
    expect(narrative).to_have_attribute("aria-required", "true")
    expect(narrative).to_have_attribute("required", "")
    label = page.locator("label[for=id_narrative]")
    expect(label.locator(".required-mark")).to_have_text("*")
    expect(page.get_by_label("実際の言葉")).not_to_have_attribute("aria-required", "true")

    # No horizontal scroll at this width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_file_over_the_limit_is_refused_before_it_is_sent(
    page: Page, seeded, width, tmp_path, settings
):
    settings.EVIDENCE_MAX_MB = 1  # the page reads the limit from the settings
    big = tmp_path / "防犯カメラ.jpg"
    big.write_bytes(b"\xff\xd8\xff" + b"\0" * (1024 * 1024 + 1))
    sent = []  # every post bigger than the file: none may leave the browser

    def record(request):
        if request.method == "POST" and len(request.post_data_buffer or b"") > 1024 * 1024:
            sent.append(request.url)

    page.on("request", record)

    open_form(page)
    go_to_step(page, 6)
    page.locator("input[name=evidence]").set_input_files(str(big))
    problem = page.locator("#evidence-problems")
    expect(problem).to_contain_text("「防犯カメラ.jpg」は 1 MB を超えています")
    expect(problem).to_contain_text("小さくしたものを添付する")
    expect(page.locator("input[name=evidence]")).to_have_class(re.compile("is-invalid"))
    assert page.locator("input[name=evidence]").evaluate("input => input.files.length") == 0
    assert sent == []
    assert not Attachment.objects.exists()


def test_a_file_is_sent_with_a_progress_bar_and_listed(page: Page, seeded, tmp_path):
    from tests.samples import jpeg_bytes

    photo = tmp_path / "名札.jpg"
    photo.write_bytes(jpeg_bytes() + b"\0" * (3 * 1024 * 1024))
    open_form(page)
    go_to_step(page, 3)
    page.get_by_role("textbox", name="何が起きたか", exact=True).fill("名札を撮影された。")
    go_to_step(page, 6)
    page.locator("input[name=evidence]").set_input_files(str(photo))
    expect(page.get_by_role("list", name="添付済みのファイル")).to_contain_text("名札.jpg")
    # Back on the draft's own page, on the same step, with what was typed saved.
    assert "/incidents/drafts/" in page.url
    expect(page.locator("#step-status")).to_contain_text("ステップ 6 / 6")
    draft = IncidentReport.objects.get(narrative="名札を撮影された。")
    assert [a.original_name for a in draft.attachments.all()] == ["名札.jpg"]


def test_the_autosave_keeps_the_text_over_a_reload(page: Page, seeded, width):
    open_form(page)
    go_to_step(page, 3)
    page.get_by_role("textbox", name="何が起きたか", exact=True).fill("受付で大声を出し続けた。")
    expect(page.locator("#saved-status")).to_have_text(SAVED)
    # The page became the draft's: a reload shows what was saved.
    assert re.search(r"/incidents/drafts/[0-9a-f-]+/", page.url)
    page.reload()
    go_to_step(page, 3)
    expect(page.get_by_role("textbox", name="何が起きたか", exact=True)).to_have_value(
        "受付で大声を出し続けた。"
    )
    draft = IncidentReport.objects.get(narrative="受付で大声を出し続けた。")
    assert draft.status == "draft"


def test_an_ended_session_loses_nothing_typed(page: Page, seeded, width):
    open_form(page)
    go_to_step(page, 3)
    narrative = page.get_by_role("textbox", name="何が起きたか", exact=True)
    narrative.fill("最初の一文。")
    expect(page.locator("#saved-status")).to_have_text(SAVED)
    draft_url = page.url.split("#")[0]

    page.context.clear_cookies(name="sessionid")  # the session ends while she types
    narrative.fill("最初の一文。セッションが切れた後に書いた文。")
    sign_in_link = page.get_by_role("link", name="もう一度ログイン")
    expect(sign_in_link).to_be_visible()
    expect(page.locator("#report-form-alert")).to_contain_text("セッションが終了しました")

    sign_in_link.click()
    page.locator("#id_username").fill("staff.tokyo")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(draft_url.split("//", 1)[1].split("/", 1)[1])))
    expect(page.locator("#report-form-alert")).to_contain_text(
        "入力していた内容をフォームに戻しました"
    )
    go_to_step(page, 3)
    expect(page.get_by_role("textbox", name="何が起きたか", exact=True)).to_have_value(
        "最初の一文。セッションが切れた後に書いた文。"
    )
    expect(page.locator("#saved-status")).to_have_text(SAVED)
    draft = IncidentReport.objects.get(
        form_token=page.locator("input[name=form_token]").input_value()
    )
    assert draft.narrative == "最初の一文。セッションが切れた後に書いた文。"


def test_a_submit_after_the_session_ended_keeps_the_text(page: Page, seeded):
    open_form(page)
    go_to_step(page, 3)
    page.get_by_role("textbox", name="何が起きたか", exact=True).fill(
        "提出の直前にセッションが切れた。"
    )
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("button", name="報告を提出する").click()
    expect(page.get_by_role("link", name="もう一度ログイン")).to_be_visible()
    expect(page.get_by_role("textbox", name="何が起きたか", exact=True)).to_have_value(
        "提出の直前にセッションが切れた。"
    )
    assert "/incidents/" in page.url and "/login/" not in page.url


def test_a_refused_submission_focuses_the_summary_whose_links_reach_the_fields(
    page: Page, seeded, width
):
    open_form(page)
    go_to_step(page, 3)
    page.get_by_role("textbox", name="何が起きたか", exact=True).fill("受付で暴言を繰り返された。")
    page.get_by_role("button", name="報告を提出する").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_contain_text("直す必要のある問題が 3 件あります")
    expect(summary).to_be_in_viewport()

    # The behaviours are on step 4, the channel on step 1: each link goes there.
    summary.locator("a[href='#id_categories_0']").click()
    expect(page.locator("#id_categories_0")).to_be_focused()
    expect(page.locator("#step-status")).to_contain_text("ステップ 4 / 6")
    summary.locator("a[href='#id_channel_0']").click()
    expect(page.locator("#id_channel_0")).to_be_focused()
    expect(page.locator("#id_channel_0")).to_be_in_viewport()
    expect(page.locator("#step-status")).to_contain_text("ステップ 1 / 6")
    expect(page.locator("#id_channel_0")).to_have_attribute(
        "aria-describedby", re.compile("error_1_id_channel")
    )


def test_a_refused_decision_lands_on_its_form_not_at_the_top(page: Page, seeded):
    from incidents.models import CaseFile

    case_file = CaseFile.objects.filter(candidate__reports__center__code="TKY01").first()
    sign_in(page, "supervisor.tokyo")
    page.goto(f"/cases/{case_file.pk}/")
    page.locator("#decision-form").get_by_role("button", name="決定を記録").click()
    summary = page.locator("#decision-errors")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_role("heading")).to_contain_text("直す必要のある問題が")


def test_the_form_its_error_summary_and_the_discard_page_pass_axe(page: Page, seeded):
    from tests.browser.test_accessibility import _violations

    open_form(page)
    problems = _violations(page, "new form")
    go_to_step(page, 3)
    page.get_by_role("textbox", name="何が起きたか", exact=True).fill("受付で暴言を繰り返された。")
    page.get_by_role("button", name="報告を提出する").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    problems += _violations(page, "refused submission")
    page.get_by_role("link", name="この下書きを破棄する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("この下書きを破棄しますか？")
    problems += _violations(page, "discard page")
    page.get_by_role("button", name="下書きを破棄する").click()
    expect(page.get_by_text("下書きを破棄しました。証拠ファイルも削除しました。")).to_be_visible()
    assert not problems, "\n".join(problems)

"""The stored-script battery in Chromium: a report and its case file, every typed field
carrying script, are rendered and clicked through by the supervisor, and no dialog opens
(the payloads call alert())."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.security.test_stored_xss import REPORT_FIELDS, payload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scripted(seeded):
    from accounts.models import User
    from incidents.models import CaseFile
    from incidents.services.triage import note_add
    from tests.helpers import file_report

    staff = User.objects.get(username="staff.tokyo")
    supervisor = User.objects.get(username="supervisor.tokyo")
    report = file_report(
        staff,
        candidate_id_entered="SB00000001",
        **{field: payload(field) for field in REPORT_FIELDS},
    )
    case_file = CaseFile.objects.get(candidate__candidate_id="SB00000001")
    note_add(report=report, by=supervisor, text=payload("report-note"))
    note_add(case_file=case_file, by=supervisor, text=payload("case-note"))
    return report, case_file


def test_no_stored_script_runs_on_the_report_or_the_case_file(page: Page, scripted):
    report, case_file = scripted
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, "supervisor.tokyo")
    page.goto(f"/cases/{case_file.pk}/")
    expect(page.locator("main")).to_contain_text("xf-case-note")
    page.goto("/review/")
    expect(page.locator("main")).to_contain_text(report.reference)
    page.goto(f"/incidents/{report.reference}/")
    expect(page.locator("main")).to_contain_text("<script>alert(1)</script>")
    page.wait_for_timeout(300)  # an onerror fires once the broken image has failed
    assert dialogs == []
    assert page.locator("main img[src=x]").count() == 0

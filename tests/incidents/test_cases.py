"""Case files: who sees which, what a cross-center file shows, the access log, the list's
query count, and the notice to the candidate."""

import html
import re
from urllib.parse import parse_qsl

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.formats import date_format
from django.utils.timezone import localtime

from incidents.models import CaseFile, CaseFileAccess
from incidents.selectors.cases import case_file_timeline
from incidents.services.cases import case_file_link_report
from incidents.services.decisions import decision_approve, decision_propose
from incidents.services.triage import note_add
from policy.models import Category
from tests.helpers import client_for, file_report
from tests.incidents.test_decisions import draft, revision


@pytest.fixture
def shared(staff_tokyo, staff_osaka):
    """A candidate reported in Tokyo (with a narrative) and in Osaka."""
    file_report(staff_tokyo, candidate_id_entered="SR50000001", narrative="東京の受付で暴言。")
    file_report(staff_osaka, candidate_id_entered="SR50000001", narrative="Osaka: phone abuse.")
    return CaseFile.objects.get(candidate__candidate_id="SR50000001")


@pytest.fixture
def tokyo_only(staff_tokyo):
    file_report(staff_tokyo, candidate_id_entered="SR50000002", candidate_name="佐々木 健")
    return CaseFile.objects.get(candidate__candidate_id="SR50000002")


MATRIX = {
    # person: (shared case file, Tokyo-only case file, the list)
    "staff.tokyo": (404, 404, 404),
    "staff.osaka": (404, 404, 404),
    "supervisor.tokyo": (200, 200, 200),
    "supervisor.osaka": (200, 404, 200),
    "manager": (200, 200, 200),
    "legal": (200, 200, 200),
    "admin": (404, 404, 404),
    "outsider": (404, 404, 404),
}


@pytest.mark.parametrize("person", list(MATRIX))
def test_case_files_follow_the_visibility_matrix(demo, shared, tokyo_only, person):
    client = client_for(demo[person])
    statuses = (
        client.get(f"/cases/{shared.pk}/").status_code,
        client.get(f"/cases/{tokyo_only.pk}/").status_code,
        client.get("/cases/").status_code,
    )
    assert statuses == MATRIX[person]


def test_a_supervisor_sees_other_centers_reports_as_summary_lines(
    shared, supervisor_osaka, manager
):
    osaka = client_for(supervisor_osaka, language="en").get(f"/cases/{shared.pk}/").content.decode()
    assert "Osaka: phone abuse." in osaka
    assert "東京の受付で暴言。" not in osaka
    assert "report from another center (summary)" in osaka
    assert (
        osaka.count('data-entry="report"') == 1 and osaka.count('data-entry="report_summary"') == 1
    )
    full = client_for(manager, language="en").get(f"/cases/{shared.pk}/").content.decode()
    assert "Osaka: phone abuse." in full and "東京の受付で暴言。" in full


def test_the_list_shows_only_visible_case_files_and_filters_them(
    shared, tokyo_only, supervisor_osaka
):
    client = client_for(supervisor_osaka, language="en")
    page = client.get("/cases/").content.decode()
    assert "SR50000001" in page and "SR50000002" not in page
    assert "SR50000001" not in client.get("/cases/", {"q": "SR9"}).content.decode()
    assert "SR50000001" in client.get("/cases/", {"q": "ｓｒ５０００００"}).content.decode()
    assert "SR50000001" not in client.get("/cases/", {"restricted": "yes"}).content.decode()


def test_every_look_at_a_case_file_is_logged_and_legal_reads_the_log(
    shared, supervisor_tokyo, legal
):
    client_for(supervisor_tokyo).get(f"/cases/{shared.pk}/")
    client_for(supervisor_tokyo).get(f"/cases/{shared.pk}/")
    assert CaseFileAccess.objects.filter(case_file=shared, user=supervisor_tokyo).count() == 2
    supervisor_page = client_for(supervisor_tokyo, language="en").get(f"/cases/{shared.pk}/")
    assert "Who opened this case file" not in supervisor_page.content.decode()
    legal_page = client_for(legal, language="en").get(f"/cases/{shared.pk}/").content.decode()
    assert "Who opened this case file" in legal_page and "TKY-0007" in legal_page
    # A line each, newest first: when (as the page writes times), who, what was opened.
    lines = re.findall(
        r'<li class="list-group-item">([^<]*)</li>', legal_page.split('id="h-access"')[1]
    )
    opened = CaseFileAccess.objects.filter(case_file=shared).order_by("-viewed_at", "-id")
    assert lines == [
        html.escape(
            f"{date_format(localtime(access.viewed_at), 'SHORT_DATETIME_FORMAT')} · "
            f"{access.user.staff_code} · {access.get_what_display()}"
        )
        for access in opened
    ]


def test_personal_data_is_on_the_case_file_for_reviewers(tokyo_only, supervisor_tokyo):
    page = (
        client_for(supervisor_tokyo, language="en").get(f"/cases/{tokyo_only.pk}/").content.decode()
    )
    assert "佐々木 健" in page


def _list_queries(client, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cases/", params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_list_makes_as_many_queries_for_one_row_as_for_a_full_page(
    staff_osaka, supervisor_osaka
):
    client = client_for(supervisor_osaka)
    first, page = _list_queries(client)
    shown = page.count("data-case-file=")
    for number in range(26):
        file_report(staff_osaka, candidate_id_entered=f"SR6{number:07d}")
    full, page = _list_queries(client)
    assert page.count("data-case-file=") == 25 and full == first
    # The next page, by its cursor: the demo's case files, after the 26 new ones.
    following = html.unescape(re.search(r'rel="next" href="\?([^"]*)"', page)[1])
    last, page = _list_queries(client, **dict(parse_qsl(following)))
    assert page.count("data-case-file=") == shown + 1 and last == first


def test_the_list_shows_each_files_summary_of_its_records(staff_osaka, supervisor_osaka, manager):
    """Count, last report and centers, kept by the services as reports are filed and moved."""
    first = file_report(staff_osaka, candidate_id_entered="SR70000001")
    second = file_report(staff_osaka, candidate_id_entered="SR70000001")
    case_file = CaseFile.objects.get(candidate__candidate_id="SR70000001")
    assert (case_file.report_count, case_file.center_ids) == (2, [second.center_id])
    assert case_file.last_report_at == second.submitted_at > first.submitted_at
    row = re.search(
        r'data-case-file="SR70000001">(.*?)</tr>',
        client_for(supervisor_osaka, language="en").get("/cases/").content.decode(),
        re.S,
    )[1]
    assert 'data-label="Reports">2<' in row and 'data-label="Centers">OSA01<' in row
    case_file_link_report(report=second, by=manager, candidate_id="SR70000002", reason="Typo.")
    case_file.refresh_from_db()
    assert (case_file.report_count, case_file.last_report_at) == (1, first.submitted_at)
    moved = CaseFile.objects.get(candidate__candidate_id="SR70000002")
    assert (moved.report_count, moved.center_ids) == (1, [second.center_id])


def _case_file_page(client, case_file, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/cases/{case_file.pk}/", params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("person", ["supervisor_osaka", "manager"])
def test_a_case_file_makes_as_many_queries_for_one_report_as_for_many(
    request, staff_tokyo, staff_osaka, supervisor_osaka, manager, person, monkeypatch
):
    """Issue 12: the page's queries do not grow with the candidate's history, whether she
    reads each report in full or some as summary lines, folded timeline or whole, with or
    without decisions."""
    monkeypatch.setattr("incidents.views.cases.TIMELINE_FOLDED", 3)
    client = client_for(request.getfixturevalue(person))
    file_report(staff_osaka, candidate_id_entered="SR51000001")
    case_file = CaseFile.objects.get(candidate__candidate_id="SR51000001")
    one, _page = _case_file_page(client, case_file)
    one_whole, _page = _case_file_page(client, case_file, timeline="all")
    for reporter in (staff_tokyo, staff_osaka, staff_tokyo):
        file_report(reporter, candidate_id_entered="SR51000001")
    for number in range(3):
        note_add(by=request.getfixturevalue(person), text=f"Note {number}", case_file=case_file)
    # Decisions too: a caution, and a refusal of testing at listed centers, in force.
    osaka = supervisor_osaka.memberships.get().center
    for outcome, extra in (
        ("caution", {}),
        ("testing_refused", {"scope": "listed_centers", "scope_centers": [osaka]}),
    ):
        decision = decision_propose(
            case_file=case_file,
            by=supervisor_osaka,
            expected_revision=revision(case_file),
            draft=draft(outcome, **extra),
        )
    decision_approve(
        decision=decision, by=manager, reason="Agreed.", expected_revision=revision(case_file)
    )
    many, page = _case_file_page(client, case_file)
    assert "data-timeline-folded" in page and "data-restriction" in page
    assert page.count("data-decision=") == 2 and osaka.code in page
    many_whole, page = _case_file_page(client, case_file, timeline="all")
    assert page.count('data-entry="note"') == 3
    assert (many, many_whole) == (one, one_whole)


def test_a_long_timeline_shows_its_latest_entries_and_the_whole_on_request(
    tokyo_only, supervisor_tokyo, monkeypatch
):
    monkeypatch.setattr("incidents.views.cases.TIMELINE_FOLDED", 3)
    for number in range(5):
        note_add(by=supervisor_tokyo, text=f"Note number {number}", case_file=tokyo_only)
    client = client_for(supervisor_tokyo, language="en")
    _queries, folded = _case_file_page(client, tokyo_only)
    total = len(case_file_timeline(supervisor_tokyo, tokyo_only))
    assert f"The latest 3 of {total} entries." in folded
    assert 'href="?timeline=all#timeline"' in folded
    shown = re.findall(r"Note number (\d)", folded)
    assert shown == ["2", "3", "4"]  # the newest, oldest first as the whole timeline reads
    _queries, whole = _case_file_page(client, tokyo_only, timeline="all")
    assert re.findall(r"Note number (\d)", whole) == ["0", "1", "2", "3", "4"]
    assert whole.count('data-entry="report"') == 1 and "data-timeline-folded" not in whole
    assert "Show only the latest entries" in whole


def test_the_timeline_line_of_a_report_links_it_and_names_its_behaviours(
    tokyo_only, supervisor_tokyo
):
    report = tokyo_only.candidate.reports.get()
    page = client_for(supervisor_tokyo, language="en").get(f"/cases/{tokyo_only.pk}/")
    line = re.search(r'<li[^>]*data-entry="report"[^>]*>(.*?)</li>', page.content.decode(), re.S)
    assert f'href="/incidents/{report.reference}/"' in line[1]
    assert html.escape(Category.objects.get(code="verbal_abuse").name_en) in line[1]
    assert 'data-severity="' in line[1]


def test_a_stale_decision_form_comes_back_with_everything_typed(
    shared, supervisor_tokyo, supervisor_osaka
):
    client = client_for(supervisor_tokyo, language="en")
    client.get(f"/cases/{shared.pk}/")  # the blank form's assessment is drawn, and kept
    stale = revision(shared)
    decision_propose(case_file=shared, by=supervisor_osaka, expected_revision=stale, draft=draft())
    response = client.post(
        f"/cases/{shared.pk}/decisions/",
        {
            "revision": stale,
            "outcome": "written_warning",
            "demand_legitimacy": "no",
            "manner": "inappropriate",
            "categories": ["verbal_abuse"],
            "rationale": "My carefully written rationale.",
        },
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this case file while you were writing." in page
    assert "My carefully written rationale." in page
    assert re.search(r'value="written_warning"[^>]*checked', page)  # its answers, not blank
    assert re.search(r'value="verbal_abuse"[^>]*checked', page)
    assert f'name="revision" value="{revision(shared)}"' in page
    assert shared.decisions.count() == 1


def test_a_behaviour_renamed_by_an_administrator_shows_in_the_next_decision_form(
    shared, supervisor_tokyo
):
    client = client_for(supervisor_tokyo, language="en")
    client.get(f"/cases/{shared.pk}/")  # drawn, and kept
    category = Category.objects.get(code="unauthorized_recording")
    category.name_en = "Filming staff without consent"
    category.save(update_fields=["name_en"])

    form = client.get(f"/cases/{shared.pk}/").content.decode().split('id="decision-form"')[1]

    assert "Filming staff without consent" in form


def test_a_center_an_administrator_closed_leaves_the_next_decision_forms_scope(
    shared, supervisor_tokyo, staff_osaka
):
    osaka_center = staff_osaka.memberships.get().center
    client = client_for(supervisor_tokyo, language="en")

    def scope_centers() -> set[str]:
        form = client.get(f"/cases/{shared.pk}/").content.decode().split('id="decision-form"')[1]
        return set(re.findall(r'name="scope_centers" value="([^"]+)"', form))

    assert osaka_center.code in scope_centers()  # drawn, and kept
    osaka_center.active = False
    osaka_center.save(update_fields=["active"])

    assert osaka_center.code not in scope_centers()


def test_a_refusal_starts_on_the_day_the_page_is_opened(shared, supervisor_tokyo):
    def first_day() -> str:
        client = client_for(supervisor_tokyo, language="en")  # signed in that day
        form = client.get(f"/cases/{shared.pk}/").content.decode().split('id="decision-form"')[1]
        return re.search(r'name="starts_on" value="([^"]+)"', form).group(1)

    with time_machine.travel("2027-03-01T12:00:00+09:00", tick=False):
        assert first_day() == "2027-03-01"  # drawn, and kept
    with time_machine.travel("2027-03-02T09:00:00+09:00", tick=False):
        assert first_day() == "2027-03-02"


@pytest.mark.parametrize(
    ("action", "typed"),
    [
        ("notes", {"text": "x" * 10_001}),  # longer than a note may be
        ("merge", {"candidate_id": "SR99999999", "reason": "My careful reason."}),  # unknown
    ],
)
def test_a_case_file_form_that_came_back_shows_what_was_typed(
    shared, supervisor_tokyo, action, typed
):
    client = client_for(supervisor_tokyo, language="en")
    client.get(f"/cases/{shared.pk}/")  # the blank forms are drawn, and kept

    response = client.post(f"/cases/{shared.pk}/{action}/", typed)

    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    assert all(value in page for value in typed.values())


def test_the_notice_cites_the_policy_and_names_no_staff(
    shared, supervisor_tokyo, manager, staff_tokyo
):
    refusal = decision_propose(
        case_file=shared,
        by=supervisor_tokyo,
        expected_revision=revision(shared),
        draft=draft("testing_refused"),
    )
    decision_approve(
        decision=refusal, by=manager, reason="Agreed.", expected_revision=revision(shared)
    )
    page = client_for(supervisor_tokyo).get(f"/cases/{shared.pk}/decisions/{refusal.pk}/notice/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Notice of refusal of testing" in text and '<section lang="ja">' in text
    assert refusal.ends_on.strftime("%Y") in text and "SR50000001" in text
    for person in (supervisor_tokyo, manager, staff_tokyo):
        assert person.last_name not in text and person.staff_code not in text


def test_admins_read_the_access_logs_but_cannot_change_them(shared, supervisor_tokyo, admin):
    client_for(supervisor_tokyo).get(f"/cases/{shared.pk}/")
    client = client_for(admin, language="en")
    page = client.get("/admin/incidents/casefileaccess/").content.decode()
    assert "TKY-0007" in page
    access = CaseFileAccess.objects.get(user=supervisor_tokyo)
    assert (
        client.post(
            f"/admin/incidents/casefileaccess/{access.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert CaseFileAccess.objects.filter(pk=access.pk).exists()

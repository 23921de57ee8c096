"""What the portal tells a reporter about her own reports: a badge in the navbar, a notice
page, and a line at the top of the report when a question waits for her. Only what her own
report page shows her; never reviewers' notes or corrections; nobody else's."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.models import REPORTER_VISIBLE_EVENTS, NoticeKind, ReporterNotice
from incidents.selectors.escalations import bell_of
from incidents.selectors.notices import unread_notice_count
from incidents.services import report_add_addendum, support_follow_up_add
from incidents.services.triage import (
    information_request,
    note_add,
    report_correct,
    report_set_status,
)
from policy.models import Category
from tests.helpers import client_for, file_report

BADGE = re.compile(r'data-notice-count="(\d+)"')


@pytest.fixture
def report(staff_tokyo):
    return file_report(staff_tokyo)


def badge(user, language: str = "en") -> int:
    """The count in the navbar of her home page (0 when there is no badge)."""
    page = client_for(user, language=language).get("/").content.decode()
    found = BADGE.search(page)
    return int(found.group(1)) if found else 0


def notice_page(user, language: str = "en") -> str:
    response = client_for(user, language=language).get("/incidents/notices/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_question_shows_a_badge_of_one_to_the_reporter_and_to_nobody_else(
    report, staff_tokyo, staff_osaka, supervisor_tokyo
):
    assert badge(staff_tokyo) == 0
    information_request(report=report, by=supervisor_tokyo, question="Which desk was it?")
    assert badge(staff_tokyo) == 1
    assert badge(supervisor_tokyo) == 0 and badge(staff_osaka) == 0


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "A reviewer asked you a question"), ("ja", "確認担当者から質問が届きました")],
)
def test_the_notice_page_lists_the_question_in_her_language(
    report, staff_tokyo, supervisor_tokyo, language, text
):
    information_request(report=report, by=supervisor_tokyo, question="Which desk was it?")
    page = notice_page(staff_tokyo, language)
    assert text in page
    assert f'href="/incidents/{report.reference}/#questions"' in page
    assert page.count("data-unread") == 1
    assert "Which desk was it?" not in page  # the question itself stays on the report


def test_opening_the_report_clears_its_notices_and_shows_the_question_first(
    report, staff_tokyo, supervisor_tokyo
):
    information_request(report=report, by=supervisor_tokyo, question="Which desk was it?")
    client = client_for(staff_tokyo, language="en")
    page = client.get(f"/incidents/{report.reference}/").content.decode()
    assert "data-question-waiting" in page
    assert "A reviewer asked you a question about this report." in page
    assert page.index("data-question-waiting") < page.index('id="questions"')
    assert badge(staff_tokyo) == 0
    assert "data-unread" not in notice_page(staff_tokyo)
    assert "A reviewer asked you a question" in notice_page(staff_tokyo)  # still listed, read

    report_add_addendum(report=report, by=staff_tokyo, text="Desk 2.")
    page = client.get(f"/incidents/{report.reference}/").content.decode()
    assert "data-question-waiting" not in page  # answered: nothing waits for her


def test_a_reviewer_opening_her_report_leaves_her_notices_unread(
    report, staff_tokyo, supervisor_tokyo
):
    information_request(report=report, by=supervisor_tokyo, question="Which desk was it?")
    page = client_for(supervisor_tokyo, language="en").get(f"/incidents/{report.reference}/")
    assert "data-question-waiting" not in page.content.decode()  # it waits for her, not him
    assert badge(staff_tokyo) == 1


def test_internal_notes_and_corrections_make_no_notice(report, staff_tokyo, supervisor_tokyo):
    note_add(report=report, by=supervisor_tokyo, text="Known to the Osaka desk too.")
    report_correct(
        report=report,
        by=supervisor_tokyo,
        categories=Category.objects.filter(code__in=["verbal_abuse", "excessive_demand"]),
        severity=report.severity,
        reason="She also demanded a refund.",
    )
    assert badge(staff_tokyo) == 0
    assert "data-no-notices" in notice_page(staff_tokyo)


def test_what_she_does_herself_makes_no_notice(report, staff_tokyo):
    report_add_addendum(report=report, by=staff_tokyo, text="One more detail.")
    assert not ReporterNotice.objects.filter(recipient=staff_tokyo).exists()


def test_the_review_starting_and_ending_are_listed_newest_first(
    report, staff_tokyo, supervisor_tokyo
):
    report_set_status(report=report, by=supervisor_tokyo, status="under_review")
    report_set_status(report=report, by=supervisor_tokyo, status="closed", note="Caution given.")
    page = notice_page(staff_tokyo)
    assert badge(staff_tokyo) == 2
    assert page.index("Your report was closed") < page.index("The review of your report started")
    assert "Caution given." not in page


def test_an_escalation_at_triage_is_a_notice_without_its_reason(
    report, staff_tokyo, supervisor_tokyo
):
    report_correct(
        report=report,
        by=supervisor_tokyo,
        categories=Category.objects.filter(code__in=["verbal_abuse"]),
        severity="critical",
        reason="Threatened to wait for her after work.",
    )
    page = notice_page(staff_tokyo)
    assert "Your report was passed on to those who act on it" in page
    assert "Threatened" not in page and "critical" not in page.lower()


def test_support_given_is_a_notice(demo, staff_tokyo):
    report = file_report(staff_tokyo, support_requested=True)
    support_follow_up_add(report=report, by=demo["care"], note="Called her.")
    assert "Your request for support was followed up" in notice_page(staff_tokyo)


def test_two_questions_before_she_looks_are_one_reason_to_look(
    report, staff_tokyo, supervisor_tokyo, manager
):
    information_request(report=report, by=supervisor_tokyo, question="Which desk?")
    information_request(report=report, by=manager, question="Was anyone hurt?")
    assert badge(staff_tokyo) == 1
    page = client_for(staff_tokyo, language="en").get(f"/incidents/{report.reference}/")
    assert "Reviewers asked you 2 questions about this report." in page.content.decode()


def test_nobody_sees_or_clears_anothers_notices(report, staff_tokyo, staff_osaka, supervisor_tokyo):
    information_request(report=report, by=supervisor_tokyo, question="Which desk?")
    assert report.reference not in notice_page(staff_osaka)
    assert report.reference not in notice_page(supervisor_tokyo)
    client_for(staff_osaka).post("/incidents/notices/read/")
    assert badge(staff_tokyo) == 1


def test_mark_all_read_clears_the_badge(report, staff_tokyo, supervisor_tokyo):
    information_request(report=report, by=supervisor_tokyo, question="Which desk?")
    report_set_status(report=report, by=supervisor_tokyo, status="under_review")
    response = client_for(staff_tokyo, language="en").post("/incidents/notices/read/", follow=True)
    assert response.redirect_chain[-1][0] == "/incidents/notices/"
    assert "All your notices are marked read." in response.content.decode()
    assert badge(staff_tokyo) == 0


def test_the_notice_page_needs_a_sign_in(demo):
    response = client_for(None).get("/incidents/notices/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_count_is_one_query_on_the_unread_index(
    report, staff_tokyo, supervisor_tokyo, django_assert_num_queries
):
    information_request(report=report, by=supervisor_tokyo, question="Which desk?")
    with django_assert_num_queries(1):
        assert unread_notice_count(staff_tokyo) == 1
    unread = ReporterNotice.objects.filter(recipient=staff_tokyo, read_at=None)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the table is tiny in a test
    assert "reporter_notice_unread" in unread.explain()


BELL = re.compile(r'data-bell-count="(\d+)"')


def test_a_reporters_navbar_counts_her_notices_with_her_bell_in_one_query(
    staff_tokyo, supervisor_tokyo, manager
):
    # Her own report, asked about by a manager: a notice. A report of her staff asking for
    # support: an escalation she is told of. Both show in the navbar of every page.
    own = file_report(supervisor_tokyo)
    information_request(report=own, by=manager, question="Which desk?")
    file_report(staff_tokyo, support_requested=True)
    client = client_for(supervisor_tokyo, language="en")

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/accounts/profile/").content.decode()

    assert BADGE.search(page).group(1) == "1"
    told = bell_of(supervisor_tokyo).count  # as her inbox's "To act on" tab counts
    assert told >= 1 and BELL.search(page).group(1) == str(told)
    counting = [q["sql"] for q in queries if "incidents_reporternotice" in q["sql"]]
    assert len(counting) == 1
    assert "incidents_notification" in counting[0]


def test_the_notice_page_makes_as_many_queries_for_one_notice_as_for_many(
    staff_tokyo, supervisor_tokyo
):
    reports = [file_report(staff_tokyo) for _ in range(4)]
    information_request(report=reports[0], by=supervisor_tokyo, question="Which desk?")
    client = client_for(staff_tokyo, language="en")
    with CaptureQueriesContext(connection) as one:
        client.get("/incidents/notices/")
    for report in reports[1:]:
        information_request(report=report, by=supervisor_tokyo, question="Which desk?")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/incidents/notices/").content.decode().count("data-unread") == 4
    assert len(many) == len(one)


def test_notices_tell_only_what_her_report_page_shows_her():
    assert set(NoticeKind.values) <= {str(kind) for kind in REPORTER_VISIBLE_EVENTS}


def test_her_notices_are_paged_by_cursor_with_as_many_queries_on_each_page(report, staff_tokyo):
    """Thirty notices: 25, then the last 5 by the "next" link, with the same queries on each
    page and no count of every notice she ever had (only the badge's count of unread ones)."""
    ReporterNotice.objects.filter(recipient=staff_tokyo).delete()
    ReporterNotice.objects.bulk_create(
        ReporterNotice(recipient=staff_tokyo, report=report, kind=NoticeKind.REPORT_UNDER_REVIEW)
        for _ in range(30)
    )
    client = client_for(staff_tokyo, language="en")
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get("/incidents/notices/").content.decode()
    assert first.count("data-notice=") == 25
    following = html.unescape(re.search(r'rel="next" href="([^"]+)"', first)[1])
    with CaptureQueriesContext(connection) as last_queries:
        last = client.get(f"/incidents/notices/{following}").content.decode()
    assert last.count("data-notice=") == 5
    assert 'rel="next"' not in last and 'rel="prev"' in last
    assert len(last_queries) == len(first_queries)
    counts = [q["sql"] for q in first_queries if q["sql"].startswith("SELECT COUNT(")]
    assert all('"read_at" IS NULL' in sql for sql in counts if "reporternotice" in sql), counts

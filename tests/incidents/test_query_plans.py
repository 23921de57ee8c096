"""The plans PostgreSQL chooses for the review queue, its search and the case-file list, on a
data set large enough for the planner to care (issue 12): each page's queries on the reports
read an index made for them, and none reads the whole reports table.

The data (incidents.bench_data, 20,000 reports) is generated once into a template
database and copied once per process (tests/data_template.py); the module's tests run in a
transaction on that copy, rolled back after its last test.
What is checked is the plan, never a time."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from incidents.models import Candidate, IncidentReport
from incidents.selectors.review import QUEUE_ORDERS, SEARCH_WINDOW, WIDER_WINDOW, Sort
from tests.data_template import REPORTS, copy_create, copy_drop, copy_name
from tests.helpers import client_for
from tests.template_database import server

REPORTS_TABLE = "incidents_incidentreport"
CATEGORIES_TABLE = "incidents_reportcategory"
# The windows of the queue and the API list (2,000 rows, a five-hundredth of a million
# reports) as a hundredth of these: at a tenth of the reports, reading them all in one go
# would rightly be the planner's choice.
WINDOW = REPORTS // 100
# The search windows (2,000 rows, then ten times as many) at the share of the reports they
# are at a million.
SEARCH_AT_SCALE = REPORTS // 500


@pytest.fixture(scope="module")
def bench(generated_reports):
    """The demo data plus 20,000 reports, with fresh planner statistics (tests/conftest.py)."""


@pytest.fixture
def people(bench, db, monkeypatch) -> dict[str, User]:
    # The tabs' counts stop at the same share of the reports as at a million (1%): at 10,000
    # of 20,000, reading the table would rightly be the planner's choice.
    monkeypatch.setattr("incidents.selectors.review.COUNT_CAP", REPORTS // 100)
    monkeypatch.setattr("incidents.selectors.review.NARROWED_COUNT_CAP", REPORTS // 1000)
    return {user.username: user for user in User.objects.all()}


def plan_of(sql: str) -> dict:
    """The plan PostgreSQL runs ``sql`` with, and what each node read (EXPLAIN ANALYZE)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def outline(plan: dict, depth: int = 0) -> str:
    """The plan as EXPLAIN prints it, in short: each node's type, relation and index."""
    line = "  " * depth + " ".join(
        str(plan[key]) for key in ("Node Type", "Relation Name", "Index Name") if key in plan
    )
    return "\n".join([line, *(outline(child, depth + 1) for child in plan.get("Plans", ()))])


def reads_of_reports(plan: dict) -> list[tuple[str, str | None]]:
    """How each node of ``plan`` that reads the reports table reads it: (node type, index)."""
    return [
        (node["Node Type"], node.get("Index Name"))
        for node in nodes(plan)
        if node.get("Relation Name") == REPORTS_TABLE or _reads_report_index(node)
    ]


def _reads_report_index(node: dict) -> bool:
    # A Bitmap Index Scan names the index, not the table.
    return node["Node Type"] == "Bitmap Index Scan" and node["Index Name"].startswith(
        ("report_", REPORTS_TABLE)
    )


def page_plans(user: User, path: str, **params) -> list[dict]:
    """The plans of the queries on reports that the page at ``path`` makes."""
    with CaptureQueriesContext(connection) as queries:
        response = client_for(user, language="en").get(path, params)
    assert response.status_code == 200
    sqls = [
        query["sql"]
        for query in queries
        if query["sql"].startswith("SELECT") and REPORTS_TABLE in query["sql"]
    ]
    assert sqls
    return [plan_of(sql) for sql in sqls]


def assert_no_full_read(plans: list[dict]) -> set[str]:
    """No plan reads the reports table through; returns the report indexes the plans read.

    A sequential scan that a LIMIT stops after a few rows is no full read (a capped count of
    closed reports, nearly all of them, rightly reads the table's first rows when its
    visibility map is not yet set, as in this test's transaction): what is checked is how
    many rows it read, at most 2% of the table."""
    used = set()
    for plan in plans:
        for node in nodes(plan):
            if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == REPORTS_TABLE:
                read = node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
                assert read * node["Actual Loops"] <= REPORTS // 50, outline(plan)
        used |= {index for _, index in reads_of_reports(plan) if index}
    return used


def rows_read(node: dict) -> int:
    """How many rows a node read in all its loops: those it gave and those it dropped."""
    dropped = node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)
    return (node["Actual Rows"] + dropped) * node["Actual Loops"]


def assert_window_bounded(plans: list[dict], window: int) -> None:
    """No node of ``plans`` reads more reports, or more of their categories, than a few
    times ``window`` (a status filtered out of a window's index, a report's two or three
    categories), however many reports hold a word or name a behaviour."""
    for plan in plans:
        for node in nodes(plan):
            table = node.get("Relation Name")
            if table in (REPORTS_TABLE, CATEGORIES_TABLE) or _reads_report_index(node):
                assert rows_read(node) <= 3 * (window + 1), outline(plan)


def reads(node: dict, table: str) -> bool:
    return any(child.get("Relation Name") == table for child in nodes(node))


QUEUES = [
    # (who, the queue's parameters, the index its rows are read from)
    ("supervisor.tokyo", {}, "report_center_open_severity"),
    # By time, a supervisor's rows come from her center's index or, where her center holds
    # most reports (two centers here), from every center's index of the same order with the
    # other center filtered out: either way read in order, never sorted.
    ("supervisor.tokyo", {"sort": Sort.NEWEST}, "report_center_open_time|report_open_time"),
    ("supervisor.tokyo", {"sort": Sort.OLDEST}, "report_center_open_time|report_open_time"),
    ("supervisor.tokyo", {"status": "closed"}, "report_center_record_severity"),
    (
        "supervisor.tokyo",
        {"status": "all", "sort": Sort.NEWEST},
        "report_center_record_time|report_record_time",
    ),
    ("manager", {}, "report_open_severity"),
    ("manager", {"sort": Sort.NEWEST}, "report_open_time"),
    ("manager", {"sort": Sort.OLDEST}, "report_open_time"),
    ("manager", {"status": "all"}, "report_record_severity"),
    ("manager", {"status": "closed", "sort": Sort.NEWEST}, "report_record_time"),
    ("legal", {"status": "submitted"}, "report_open_severity"),
]


@pytest.mark.parametrize(("username", "params", "index"), QUEUES)
def test_each_queue_reads_its_index(people, username, params, index):
    plans = page_plans(people[username], "/review/", **params)
    used = assert_no_full_read(plans)
    assert used & set(index.split("|")), "\n\n".join(map(outline, plans))


def test_a_severity_is_a_range_of_the_queues_index(people):
    """Only "high": the page's rows are read from the range of the index that holds them
    (the rank comes right after the center), not found by visiting every more severe
    report first. (Where one severity is most of the reports, PostgreSQL may rightly read
    the time index instead, the rank being fixed: a manager's "medium" does.)"""
    index = "report_center_open_severity"
    plans = page_plans(people["supervisor.tokyo"], "/review/", severity="high")
    assert_no_full_read(plans)
    ranges = [
        node
        for plan in plans
        for node in nodes(plan)
        if node.get("Index Name") == index and "severity_rank" in node.get("Index Cond", "")
    ]
    assert any(node["Actual Rows"] <= 26 for node in ranges), "\n\n".join(map(outline, plans))


@pytest.fixture(scope="module")
def vacuumed(bench) -> Iterator[str]:
    """A copy of the data template whose reports table is vacuumed, as autovacuum keeps a
    table of years of reports: its visibility map set, index-only scans are what they cost
    (this module's own copy stays as loaded, the plans of rows just written)."""
    name = f"{copy_name()[:50]}_vacuumed"
    copy_create(name)
    try:
        with psycopg.connect(**server(), dbname=name, autocommit=True) as vacuumed:
            vacuumed.execute(f"VACUUM (ANALYZE) {REPORTS_TABLE}")
        yield name
    finally:
        copy_drop(name)


@pytest.mark.parametrize("username", ["supervisor.tokyo", "manager"])
def test_the_tab_counts_under_a_severity_read_an_index_that_holds_it(people, vacuumed, username):
    """Each tab's capped count of "high" is read from the index of status and center that
    holds the rank, index-only, on a vacuumed table: most closed reports are high, and without
    the rank in an index PostgreSQL read the table from its start until it had counted enough
    (at a million reports some 830 pages outside shared_buffers, on every load of the filtered
    queue: 16 to 1,200 ms; 2 ms through the index)."""
    index = "report_status_center_severity"
    with CaptureQueriesContext(connection) as queries:
        assert client_for(people[username]).get("/review/", {"severity": "high"}).status_code == 200
    (counts,) = [query["sql"] for query in queries if "AS capped" in query["sql"]]
    with psycopg.connect(**server(), dbname=vacuumed, autocommit=True) as other:
        other.execute("SET jit = off")
        ((explained,),) = other.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {counts}").fetchall()
    plan = explained[0]["Plan"]
    reads = [node for node in nodes(plan) if node.get("Relation Name") == REPORTS_TABLE]
    assert len(reads) == 3, outline(plan)  # one capped count per status
    for node in reads:
        assert (node["Node Type"], node.get("Index Name")) == ("Index Only Scan", index), outline(
            plan
        )


@pytest.mark.parametrize(("username", "index"), [("manager", "report_record_severity")])
def test_a_deep_page_starts_inside_the_index(people, username, index):
    """The 400th page: its first row is found in the index by the cursor's values, and the
    index is read for this page's rows alone, not for the 10,000 before them."""
    deep = (
        IncidentReport.objects.filter(status__in=["submitted", "under_review", "closed"])
        .order_by(*QUEUE_ORDERS[Sort.SEVERITY].order_by())
        .only("severity_rank", "submitted_at")[10_000]
    )
    cursor = QUEUE_ORDERS[Sort.SEVERITY].cursor(deep)
    plans = page_plans(people[username], "/review/", status="all", after=cursor)
    assert_no_full_read(plans)
    scans = [node for plan in plans for node in nodes(plan) if node.get("Index Name") == index]
    assert scans, "\n\n".join(map(outline, plans))
    assert any(
        "ROW(" in scan.get("Index Cond", "") and scan["Actual Rows"] <= 26 for scan in scans
    ), scans


def _a_candidate_id() -> str:
    return (
        Candidate.objects.filter(reports__status="closed").values_list("candidate_id", flat=True)
    )[0]


def _a_reference() -> str:
    return IncidentReport.objects.exclude(reference=None).values_list("reference", flat=True)[500]


@pytest.mark.parametrize("username", ["supervisor.tokyo", "manager"])
@pytest.mark.parametrize(
    ("term", "index"),
    [
        ("暴言", "report_search_tokens"),
        ("殴", "report_search_tokens"),
        ("refund", "report_search_tokens"),
        (_a_candidate_id, "incidents_incidentreport_candidate_id_1c941574"),
        (_a_reference, "incidents_incidentreport_reference_"),
    ],
)
def test_the_search_reads_its_index_whatever_the_order(people, monkeypatch, username, term, index):
    """Words through the GIN index of their tokens, a candidate's reports through the
    candidate key, a reference through its unique index; in every order and tab, and never
    by walking the queue's order index and testing each report's text beyond its window (a
    word in many reports fills its page there, and its counts are taken there)."""
    term = term() if callable(term) else term
    monkeypatch.setattr("incidents.selectors.review.SEARCH_WINDOW", SEARCH_AT_SCALE)
    monkeypatch.setattr("incidents.selectors.review.COUNT_WINDOW", WINDOW)
    for params in ({}, {"sort": Sort.NEWEST}, {"status": "all"}):
        plans = page_plans(people[username], "/review/", q=term, **params)
        used = assert_no_full_read(plans)
        if not any(name.startswith(index) for name in used):
            assert index == "report_search_tokens", (params, used)
            assert_window_bounded(plans, max(WINDOW, SEARCH_AT_SCALE * WIDER_WINDOW))


@pytest.mark.parametrize("username", ["supervisor.osaka", "manager"])
@pytest.mark.parametrize(
    "params", [{}, {"status": "open"}, {"risk": "critical"}, {"restricted": "yes"}, {"q": "C"}]
)
def test_the_case_file_list_reads_its_order_from_its_index(people, username, params):
    with CaptureQueriesContext(connection) as queries:
        response = client_for(people[username], language="en").get("/cases/", params)
    assert response.status_code == 200
    listing = [query["sql"] for query in queries if 'FROM "incidents_casefile"' in query["sql"]]
    assert len(listing) == 1
    plan = plan_of(listing[0])
    # No sum over the reports: no aggregate reads them, and nothing reads them through.
    aggregates = [node for node in nodes(plan) if node["Node Type"] == "Aggregate"]
    assert not any(reads(node, REPORTS_TABLE) for node in aggregates), outline(plan)
    assert_no_full_read([plan])
    if "q" not in params and "restricted" not in params:
        # The order is the index's: no case file is sorted (a few restricted ones may be).
        sorts = [node for node in nodes(plan) if node["Node Type"] == "Sort"]
        assert not any(reads(node, "incidents_casefile") for node in sorts), outline(plan)
        assert "case_file_recent" in json.dumps(plan)


def test_the_list_shows_what_its_rows_summarise(people):
    """The summary kept on each case file is what its records say."""
    page = client_for(people["manager"], language="en").get("/cases/").content.decode()
    shown = re.findall(r'data-case-file="(\w+)"', page)
    assert len(shown) == 25
    candidate = Candidate.objects.get(candidate_id=shown[0])
    records = IncidentReport.objects.filter(
        candidate=candidate, status__in=["submitted", "under_review", "closed"]
    )
    assert candidate.case_file.report_count == records.count()
    assert candidate.case_file.last_report_at == max(r.submitted_at for r in records)


@pytest.mark.parametrize("path", ["/cases/", "/api/v1/case-files/", "/api/v1/escalations/"])
def test_a_pages_flags_are_probed_for_its_rows_alone(people, path):
    """Whether a refusal is in force on each case file, whether each escalation is hers to
    acknowledge: probed by the keys of the page's rows, never by hashing every refusal in
    force or every notification of hers (the planner's choice while the test sat in the
    page's own statement, whose LIMIT it does not count: 7 and 14 ms at a million reports)."""
    with CaptureQueriesContext(connection) as queries:
        response = client_for(people["manager"], language="en").get(path)
    assert response.status_code == 200
    for query in queries:
        if query["sql"].startswith("SELECT") and "django_session" not in query["sql"]:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (VERBOSE, FORMAT JSON) {query['sql']}")
                (plan,) = cursor.fetchone()
            # What a hashed subplan computes is named "(hashed SubPlan n)" where it is used.
            verbose = plan if isinstance(plan, str) else json.dumps(plan)
            assert "hashed SubPlan" not in verbose, query["sql"]


@pytest.mark.parametrize(
    ("username", "index"),
    [
        ("manager", "report_recent"),
        ("supervisor.tokyo", "report_recent"),
        ("staff.tokyo", "report_reporter_recent"),
    ],
)
def test_the_api_list_reads_the_newest_reports_from_an_index_in_that_order(people, username, index):
    """GET /api/v1/reports/, newest first: her own reports or the records she reviews (an
    OR) are read from an index in that order and the reading stops after a page, where every
    report she may read was sorted before (2 s at a million reports)."""
    plans = page_plans(people[username], "/api/v1/reports/")
    assert_no_full_read(plans)
    (page,) = [plan for plan in plans if plan["Node Type"] == "Limit"]
    assert not any(node["Node Type"] == "Sort" for node in nodes(page)), outline(page)
    assert index in {name for _, name in reads_of_reports(page)}, outline(page)


def test_a_common_word_fills_its_page_from_the_next_rows_of_the_order(people):
    """ "refund" (in about one report in six): the page is found among the next
    SEARCH_WINDOW rows of the order's index, not by sorting every report that holds it."""
    plans = page_plans(people["manager"], "/review/", status="all", q="refund")
    sorted_rows = [
        child["Actual Rows"] * child["Actual Loops"]
        for plan in plans
        for node in nodes(plan)
        if node["Node Type"] == "Sort"
        for child in node.get("Plans", ())
    ]
    assert max(sorted_rows, default=0) <= SEARCH_WINDOW, "\n\n".join(map(outline, plans))


def test_the_api_list_of_her_notifications_reads_them_newest_first_from_their_index(people):
    """GET /api/v1/notifications/escalations/: a manager is told of most escalations; a page
    of them is read in order from notification_portal_recent, not all of them sorted."""
    with CaptureQueriesContext(connection) as queries:
        response = client_for(people["manager"], language="en").get(
            "/api/v1/notifications/escalations/"
        )
    assert response.status_code == 200 and len(response.json()["results"]) == 25
    (sql,) = [q["sql"] for q in queries if q["sql"].startswith('SELECT "incidents_notification"')]
    plan = plan_of(sql)
    assert not any(node["Node Type"] == "Sort" for node in nodes(plan)), outline(plan)
    assert any(node.get("Index Name") == "notification_portal_recent" for node in nodes(plan))


@pytest.mark.parametrize("username", ["supervisor.tokyo", "manager"])
@pytest.mark.parametrize("status", ["open", "submitted", "closed", "all"])
@pytest.mark.parametrize(
    "narrowed",
    [
        {"category": "verbal_abuse"},  # in two reports of five
        {"category": "sexual_harassment"},  # one in forty
        {"q": "refund"},  # one in six
        {"q": "暴言"},
        {"q": "殴"},  # one in a hundred
    ],
)
def test_the_counts_under_a_behaviour_or_words_read_a_window_not_every_match(
    people, monkeypatch, username, status, narrowed
):
    """The tabs' counts under a behaviour or words are read among the first COUNT_WINDOW
    reports of the tab shown: not from every report naming the behaviour (a hash of all of
    them) or holding the words (the GIN index gives them all), nor from every report of a
    status that has fewer matches than the cap."""
    monkeypatch.setattr("incidents.selectors.review.COUNT_WINDOW", WINDOW)
    with CaptureQueriesContext(connection) as queries:
        response = client_for(people[username], language="en").get(
            "/review/", {"status": status, **narrowed}
        )
    assert response.status_code == 200
    (counting,) = [
        query["sql"]
        for query in queries
        if REPORTS_TABLE in query["sql"] and "count(" in query["sql"].lower()
    ]
    plan = plan_of(counting)
    assert_window_bounded([plan], WINDOW)
    assert not any(node.get("Index Name") == "report_search_tokens" for node in nodes(plan))


@pytest.mark.parametrize("username", ["manager", "supervisor.tokyo"])
def test_the_api_list_finds_a_common_word_among_the_next_reports_of_its_order(
    people, monkeypatch, username
):
    """GET /api/v1/reports/?q=refund (one report in six): the page is found among the next
    reports of the list's own index (its window), not by fetching every report holding the
    word from the GIN index and sorting them."""
    monkeypatch.setattr("api.reports.ReportListPagination.window", SEARCH_AT_SCALE)
    plans = page_plans(people[username], "/api/v1/reports/", q="refund")
    assert_no_full_read(plans)
    assert_window_bounded(plans, SEARCH_AT_SCALE * WIDER_WINDOW)
    used = {name for plan in plans for _, name in reads_of_reports(plan)}
    assert "report_search_tokens" not in used and "report_recent" in used, used

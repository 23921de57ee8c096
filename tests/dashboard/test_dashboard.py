"""The dashboard: every figure on the page and in each table's CSV equals the data, for the
period and centers chosen and no others; supervisors see their centers, staff and outsiders
no dashboard; no figure is ever given per staff member."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import TestCenter as Center
from incidents.models import Escalation
from policy.models import Category
from tests.dashboard.conftest import PERIOD
from tests.helpers import client_for


def tables_on(content: str) -> dict[str, list[list[str]]]:
    """Each table of the page as rows of cell texts as they are seen (the header row first;
    "—" where there is no figure, which screen readers read as "none")."""
    tables = {}
    for slug, body in re.findall(r'<section id="([a-z]+)".*?(<table.*?</table>)', content, re.S):
        rows = []
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            shown = [re.sub(r'<span class="visually-hidden">.*?</span>', "", c) for c in cells]
            rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in shown])
        tables[slug] = rows
    return tables


def csv_of(client, table: str, **query) -> list[list[str]]:
    response = client.get(f"/dashboard/export/{table}.csv", query)
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def page_tables(user, language="en", **query):
    response = client_for(user, language=language).get("/dashboard/", query)
    assert response.status_code == 200
    return response, tables_on(response.content.decode())


def expected_escalations(reports, *names):
    """Escalations of the named reports, counted from their rows: raised, waiting, missed."""
    from django.utils import timezone

    rows = Escalation.objects.filter(report__in=[reports[name] for name in names])
    now = timezone.now()
    waiting = [e for e in rows if e.acknowledged_at is None and not hasattr(e, "next")]
    missed = [e for e in rows if e.ack_deadline and ((e.acknowledged_at or now) > e.ack_deadline)]
    return [str(len(rows)), str(len(waiting)), str(len(missed))]


def test_every_figure_on_the_page_and_in_the_csv_equals_the_data(known_reports, manager):
    codes = ("physical_attack", "verbal_abuse", "prolonged_detention", "other")  # policy order
    category_names = [Category.objects.get(code=code).name_en for code in codes]
    response, tables = page_tables(manager, **PERIOD)
    # A report naming two behaviours counts under each, and once in its month; E (31 July,
    # 23:50 in Tokyo) and F2 (1 October, 00:10) are outside, F (30 September, 23:30) inside.
    assert tables["monthly"] == [
        ["Month", *category_names, "Reports"],
        ["August 2025", "0", "2", "1", "0", "2"],
        ["September 2025", "1", "1", "0", "2", "4"],
        ["Whole period", "1", "3", "1", "2", "6"],
    ]
    assert tables["severity"][1:] == [
        ["Critical", "1", "16.7"],
        ["High", "3", "50.0"],
        ["Medium", "0", "0.0"],
        ["Low", "2", "33.3"],
        ["All severities", "6", "100.0"],
    ]
    assert tables["centers"][1:] == [
        ["Osaka Test Center", "3", "1", "0", "0", "2"],
        ["Tokyo Test Center", "3", "0", "3", "0", "0"],
        ["All centers", "6", "1", "3", "0", "2"],
    ]
    # Hours: triaged A after 2, B after 28 (Tokyo), D after 4 (Osaka); the percentiles of all
    # are of the three together. Nearest rank: the median of n waits is the k-th shortest
    # for the first k with 2k >= n (Tokyo's is A's, 2), the 90th percentile for 10k >= 9n
    # (the longest of two or three). One decision, 24 hours after A.
    assert tables["response"][1:] == [
        ["Osaka Test Center", "1", "4.0", "4.0", "0", "—", "—"],
        ["Tokyo Test Center", "2", "2.0", "28.0", "1", "24.0", "24.0"],
        ["All centers", "3", "4.0", "28.0", "1", "24.0", "24.0"],
    ]
    assert tables["escalations"][1:] == [
        ["Osaka Test Center", *expected_escalations(known_reports, "C", "D", "G")],
        ["Tokyo Test Center", *expected_escalations(known_reports, "A", "B", "F")],
        ["All centers", *expected_escalations(known_reports, *"ABCDFG")],
    ]
    assert int(tables["escalations"][1][1]) >= 1  # C was critical: someone was told at once
    assert tables["support"][1:] == [
        ["Osaka Test Center", "1", "0", "1", "0"],
        ["Tokyo Test Center", "1", "1", "0", "1"],
        ["All centers", "2", "1", "1", "1"],
    ]
    assert tables["repeat"][1:] == [["2 or more", "2"], ["3 or more", "1"]]
    # Each table's CSV holds the very same cells as the page ("—" on the page is empty here).
    client = client_for(manager, language="en")
    for slug, rows in tables.items():
        expected = [[cell.replace("—", "") for cell in row] for row in rows]
        assert csv_of(client, slug, **PERIOD) == expected, slug


def test_the_centers_filter_and_the_period_bound_the_figures(known_reports, manager):
    _response, tables = page_tables(manager, center="TKY01", start="2025-09", end="2025-09")
    assert tables["centers"][1:] == [
        ["Tokyo Test Center", "1", "0", "1", "0", "0"],
        ["All centers", "1", "0", "1", "0", "0"],
    ]
    assert tables["monthly"][1:] == [["September 2025", "1", "1"], ["Whole period", "1", "1"]]
    assert tables["repeat"][1:] == [["2 or more", "0"], ["3 or more", "0"]]


def test_the_page_is_in_japanese_with_the_charts_labels_too(known_reports, manager):
    response, tables = page_tables(manager, language="ja", **PERIOD)
    assert tables["monthly"][1][0] == "2025年8月"
    assert tables["severity"][1][0] == "重大"
    charts = response.context["charts"]
    assert "暴言" in "".join(dataset["label"] for dataset in charts["monthly"]["datasets"])
    content = response.content.decode()
    assert '<script id="dashboard-charts" type="application/json">' in content
    assert "<script>" not in content  # no inline script: the CSP runs none


def test_a_supervisor_sees_her_own_centers_only(known_reports, supervisor_tokyo):
    _response, tables = page_tables(supervisor_tokyo, **PERIOD)
    assert [row[0] for row in tables["centers"][1:]] == ["Tokyo Test Center", "All centers"]
    assert tables["centers"][-1][1] == "3"
    assert tables["repeat"][1:] == [["2 or more", "1"], ["3 or more", "0"]]  # A and B only
    # Asking for Osaka is refused, and nothing of Osaka shows.
    response, tables = page_tables(supervisor_tokyo, center="OSA01", **PERIOD)
    assert (
        "Osaka Test Center"
        not in response.content.decode().split("<main", 1)[1].split("data-period")[1]
    )
    rows = csv_of(client_for(supervisor_tokyo, language="en"), "centers", center="OSA01", **PERIOD)
    assert [row[0] for row in rows[1:]] == ["Tokyo Test Center", "All centers"]


@pytest.mark.parametrize("person", ["staff_tokyo", "care", "admin", "outsider"])
def test_staff_staff_care_admins_and_outsiders_find_no_dashboard(request, demo, person):
    user = demo[person] if person == "care" else request.getfixturevalue(person)
    client = client_for(user)
    assert client.get("/dashboard/").status_code == 404
    assert client.get("/dashboard/export/centers.csv").status_code == 404
    assert 'href="/dashboard/"' not in client.get("/").content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in(demo):
    response = client_for(None).get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/"


def test_managers_legal_and_supervisors_find_it_in_the_menu(demo):
    for person in ("manager", "legal", "supervisor.tokyo"):
        assert 'href="/dashboard/"' in client_for(demo[person]).get("/").content.decode()
    assert client_for(demo["legal"]).get("/dashboard/").status_code == 200


def test_no_figure_is_given_per_staff_member(known_reports, manager, staff_tokyo, staff_osaka):
    """Reporting never counts against anyone: no reporter, no triager, no staff code."""
    response, tables = page_tables(manager, **PERIOD)
    content = response.content.decode()
    main = content[content.index("<main") :]
    people = (staff_tokyo, staff_osaka)
    for person in people:
        assert person.staff_code not in main
        assert person.display_name not in main
    exported = str([csv_of(client_for(manager), slug, **PERIOD) for slug in tables])
    for person in people:
        assert person.staff_code not in exported and person.display_name not in exported
    assert not re.search(
        r"(?i)staff|reporter|担当|報告者|職員", str([t[0] for t in tables.values()])
    )


def test_a_table_cell_that_a_spreadsheet_would_run_is_neutralised(known_reports, manager):
    Center.objects.filter(code="TKY01").update(name_en='=HYPERLINK("http://x.example","y")')
    rows = csv_of(client_for(manager, language="en"), "centers", **PERIOD)
    assert rows[2][0] == '\'=HYPERLINK("http://x.example","y")'
    assert not [row for row in rows if row[0][:1] in ("=", "+", "-", "@")]


def test_the_export_asks_for_the_password_again_after_a_while(known_reports, manager):
    from accounts.sessions import CONFIRMED_AT

    client = client_for(manager)
    session = client.session
    session[CONFIRMED_AT] = 0
    session.save()
    response = client.get("/dashboard/export/monthly.csv", PERIOD)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/confirm/")
    assert client.get("/dashboard/export/nothing.csv").status_code == 404


def test_a_bad_filter_is_said_and_the_default_view_shown(demo, manager):
    content = (
        client_for(manager, language="en")
        .get("/dashboard/", {"start": "2025-09", "end": "2025-01"})
        .content.decode()
    )
    assert "The period ends before it starts." in content
    content = client_for(manager, language="en").get("/dashboard/", {"start": "9999-99"}).content
    assert b"Enter a month as YYYY-MM." in content


def test_the_number_of_queries_does_not_grow_with_the_reports(
    without_reports, manager, staff_tokyo
):
    from tests.dashboard.conftest import _file, at

    def queries() -> int:
        client = client_for(manager)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/dashboard/", PERIOD).status_code == 200
        return len(captured)

    _file(staff_tokyo, at(8, 5, 10), candidate_id_entered="CAND0001")
    one = queries()
    for day in range(6, 16):
        _file(
            staff_tokyo,
            at(8, day, 10),
            categories=("verbal_abuse", "other"),
            candidate_id_entered=f"CAND{day:04}",
        )
    assert queries() == one

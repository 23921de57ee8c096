"""Reporting must never count against the staff member who reports (the 2025 law forbids
disadvantageous treatment; DESIGN.md §8): no page, export or admin list, for any role,
counts or ranks staff by their reports. The pages are crawled as each privileged person
browses them (from her home page, two links deep), with one reporter who filed several."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib import admin as admin_site

from accounts.models import User
from incidents.models import IncidentReport
from tests.helpers import client_for, file_report

STAFFISH = re.compile(r"\b(staff|reporter|reporters|user|users|filed by|employee|person)\b", re.I)
COUNTISH = re.compile(r"\b(reports|count|number|total|how many|rank|ranking)\b|#", re.I)
RANKING_WORDS = re.compile(
    r"(reports? (per|by) (staff|reporter|person|user)|top reporters|most reports|"
    r"staff ranking|reports? per staff)",
    re.I,
)
NOT_CRAWLED = ("/accounts/logout/", "/admin/logout/", "/i18n/", "/static/", "/jsi18n/")


class Tables(HTMLParser):
    """The header cells of each table of a page."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[str]] = []
        self.links: list[str] = []
        self._in_th = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "th" and self.tables:
            self._in_th = True
            self.tables[-1].append("")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.links.append(href.split("#")[0])

    def handle_endtag(self, tag):
        if tag == "th":
            self._in_th = False

    def handle_data(self, data):
        if self._in_th and self.tables:
            self.tables[-1][-1] += data


def ranking_problems(url: str, text: str) -> list[str]:
    problems = [f"{url}: says {m.group()!r}" for m in RANKING_WORDS.finditer(text)]
    parser = Tables()
    parser.feed(text)
    for headers in parser.tables:
        heads = [" ".join(h.split()) for h in headers]
        # A column's title, not a sentence (the escalation rules' flags are sentences).
        titles = [h for h in heads if len(h.split()) <= 4]
        staff = [h for h in titles if STAFFISH.search(h)]
        counts = [h for h in titles if COUNTISH.search(h)]
        if staff and counts:
            problems.append(f"{url}: a table of {staff} with {counts}")
    return problems


def crawl(client, start: str = "/", depth: int = 2) -> dict[str, str]:
    seen: dict[str, str] = {}
    frontier = [start]
    for _ in range(depth + 1):
        following = []
        for url in frontier:
            path = urlsplit(url).path
            if url in seen or any(path.startswith(skip) for skip in NOT_CRAWLED):
                continue
            response = client.get(url)
            seen[url] = ""
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            seen[url] = response.content.decode()
            parser = Tables()
            parser.feed(seen[url])
            following.extend(parser.links)
        frontier = list(dict.fromkeys(following))[:40]
    return seen


@pytest.fixture
def prolific(demo, staff_tokyo, staff_osaka):
    """One reporter with many reports, another with one: a count would tell them apart."""
    for index in range(4):
        file_report(staff_tokyo, candidate_id_entered=f"SN0000000{index}")
    file_report(staff_osaka)
    return staff_tokyo


@pytest.mark.parametrize("role", ["manager", "legal", "admin", "supervisor.tokyo", "care"])
def test_no_page_counts_or_ranks_staff_by_reports(demo, prolific, role):
    pages = crawl(client_for(demo[role], language="en"))
    assert len(pages) > 3, "the crawl reached the portal's pages"
    problems = [problem for url, text in pages.items() for problem in ranking_problems(url, text)]
    assert problems == []


def test_the_audit_export_has_no_count_per_staff_member(prolific, legal):
    import time

    from accounts.reauth import CONFIRMED_AT

    client = client_for(legal, language="en")
    session = client.session
    session[CONFIRMED_AT] = int(time.time())  # she gave her password a moment ago
    session.save()
    response = client.get("/audit/export.csv")
    assert response.status_code == 200 and "csv" in response["Content-Type"]
    header = b"".join(response.streaming_content).decode().splitlines()[0]
    columns = header.split(",")
    assert not [c for c in columns if COUNTISH.search(c) and len(c.split()) <= 4], columns


def test_the_admins_user_list_has_no_report_count_column_or_ordering(demo, prolific, admin):
    user_admin = admin_site.site._registry[User]
    named = [
        *map(str, user_admin.list_display),
        *map(str, user_admin.get_ordering(None) or ()),
        *map(str, user_admin.list_filter),
        *map(str, getattr(user_admin, "sortable_by", None) or ()),
    ]
    assert not [name for name in named if "report" in name.lower()]
    client = client_for(admin, language="en")
    page = client.get("/admin/accounts/user/").content.decode()
    assert ranking_problems("/admin/accounts/user/", page) == []
    assert "report" not in " ".join(Tables_headers(page)).lower()
    for column in range(1, len(user_admin.list_display) + 2):
        assert client.get("/admin/accounts/user/", {"o": str(column)}).status_code in (200, 302)


def Tables_headers(page: str) -> list[str]:
    parser = Tables()
    parser.feed(page)
    return [header for table in parser.tables for header in table]


def test_no_admin_list_filters_or_lists_reports_by_their_reporter(demo):
    """Django's admin counts each filter's rows (facets): a reporter filter on a list of
    reports would be a count of reports per staff member."""
    for model, model_admin in admin_site.site._registry.items():
        if model is IncidentReport or any(
            field.is_relation and field.related_model is IncidentReport
            for field in model._meta.get_fields()
            if field.many_to_one
        ):
            filters = [str(f if isinstance(f, str) else f[0]) for f in model_admin.list_filter]
            assert not [f for f in filters if "reporter" in f], model


def test_the_crawl_would_notice_a_count_per_staff_member():
    """The control: a table of staff and their reports is what the checks above look for."""
    table = "<table><tr><th>Staff code</th><th>Reports</th></tr><tr><td>TKY-0042</td></tr></table>"
    assert ranking_problems("/x/", table)
    assert ranking_problems("/x/", "<h2>Top reporters this month</h2>")
    assert not ranking_problems("/x/", "<table><tr><th>Candidate ID</th><th>Reports</th></table>")

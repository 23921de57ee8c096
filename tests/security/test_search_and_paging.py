"""Search boxes and page numbers as an attacker types them: LIKE wildcards and backslashes
find only themselves, and any page number or cursor gives a page, never a server error."""

import pytest

from incidents.models import CaseFile
from tests.helpers import client_for, file_report

NARRATIVES = {
    "percent": "He wanted 50% of the fee back.",
    "five hundred": "He wanted 500 yen of the fee back.",
    "underscore": "He wrote staff_name on the form.",
    "no underscore": "He wrote staffXname on the form.",
    "backslash": r"He typed C:\temp on the screen.",
    "no backslash": "He typed C:temp on the screen.",
}

# search -> the narratives it must find (literally), and no other
SEARCHES = {
    "%": {"percent"},
    "50%": {"percent"},
    "_": {"underscore"},
    "staff_name": {"underscore"},
    "\\": {"backslash"},
    "c:\\temp": {"backslash"},
    "%%%": set(),
    "\\%": set(),
    "\\\\": set(),
    "%_%": set(),
}


@pytest.fixture
def reports(demo, staff_tokyo):
    return {
        key: file_report(staff_tokyo, narrative=text, demand="-", candidate_id_entered="")
        for key, text in NARRATIVES.items()
    }


@pytest.mark.parametrize("search", list(SEARCHES))
def test_the_review_queue_search_finds_wildcards_literally(reports, supervisor_tokyo, search):
    response = client_for(supervisor_tokyo).get("/review/", {"q": search, "status": "all"})
    assert response.status_code == 200
    text = response.content.decode()
    found = {key for key, report in reports.items() if report.reference in text}
    assert found == SEARCHES[search]


# The underscore is not among them: like a hyphen or a space, the ID search drops it (IDs
# are typed with separators), so "_" alone is an empty search.
@pytest.mark.parametrize("search", ["%", "\\", "%%%", "\\%", "SC%", "SC%0000001", "%%_"])
def test_the_case_file_search_takes_wildcards_literally(demo, supervisor_tokyo, search):
    file_report(demo["staff.tokyo"], candidate_id_entered="SC10000001")
    response = client_for(supervisor_tokyo).get("/cases/", {"q": search})
    assert response.status_code in (200, 400)
    case_file = CaseFile.objects.get(candidate__candidate_id="SC10000001")
    assert f"/cases/{case_file.pk}/" not in response.content.decode()


@pytest.mark.parametrize("search", ["%", "_", "\\", "%%%", "\\%", "TKY-%", "TKY_0042"])
@pytest.mark.parametrize("field", ["staff_code", "record"])
def test_the_audit_filters_take_wildcards_literally(reports, legal, search, field):
    response = client_for(legal, language="en").get("/audit/", {field: search})
    assert response.status_code in (200, 400)
    # Nothing is both a literal match and on the trail: the page lists no line.
    assert reports["percent"].reference not in response.content.decode()


PAGES = ["-1", "0", "abc", "99999999999999999999", "1e9", "1.5", "%00", "' OR 1=1 --", "", " "]
LISTS = [
    ("supervisor.tokyo", "/review/"),
    ("supervisor.tokyo", "/cases/"),
    ("staff.tokyo", "/incidents/mine/"),
    ("staff.tokyo", "/incidents/notices/"),
    ("manager", "/escalations/"),
    ("care", "/escalations/support/"),
]


@pytest.mark.parametrize(("role", "url"), LISTS)
def test_any_page_number_gives_a_page(demo, role, url):
    client = client_for(demo[role])
    for page in PAGES:
        response = client.get(url, {"page": page})
        assert response.status_code == 200, (url, page)
        assert "</html>" in response.content.decode()


CURSORS = [
    "garbage",
    "_",
    "__",
    "2026-01-01T00:00:00+09:00_1_x",
    "2026-01-01T00:00:00_1_1",
    "9999-12-31T23:59:59+09:00_99999999999999999999_1",
    "0001-01-01T00:00:00+00:00_-1_-1",
    "\x00",
    "%" * 300,
]


@pytest.mark.parametrize("url", ["/audit/", "/audit/export.csv"])
def test_any_audit_cursor_gives_a_page(legal, url):
    client = client_for(legal)
    for cursor in CURSORS:
        response = client.get(url, {"after": cursor})
        assert response.status_code in (200, 302), (url, cursor)


def test_the_admin_lists_take_any_page_number(admin):
    client = client_for(admin)
    for page in PAGES:
        for url in ("/admin/accounts/user/", "/admin/policy/category/"):
            response = client.get(url, {"p": page})
            assert response.status_code in (200, 302), (url, page)


@pytest.mark.parametrize(
    ("role", "url", "field"),
    [
        ("supervisor.tokyo", "/review/", "q"),
        ("supervisor.tokyo", "/cases/", "q"),
        ("legal", "/audit/", "record"),
        ("legal", "/audit/", "staff_code"),
        ("staff.tokyo", "/incidents/mine/", "status"),
        ("care", "/escalations/support/", "state"),
    ],
)
def test_a_nul_or_a_lone_surrogate_in_a_search_is_no_server_error(demo, role, url, field):
    """PostgreSQL refuses NUL in text: a search holding one must not reach a query."""
    client = client_for(demo[role])
    for value in ("\x00", "a\x00%", "\\\x00"):
        response = client.get(url, {field: value})
        assert response.status_code in (200, 400), (url, repr(value))
    # A lone surrogate and a byte that is no UTF-8, as raw bytes in the address.
    for raw in ("%ED%A0%80", "%FF", "%C0%80"):
        response = client.get(f"{url}?{field}={raw}")
        assert response.status_code in (200, 400), (url, raw)


def test_a_nul_in_a_check_in_lookup_is_no_server_error(staff_tokyo):
    response = client_for(staff_tokyo).post("/checkin/", {"candidate_id": "SC\x00001"})
    assert response.status_code in (200, 400, 422)

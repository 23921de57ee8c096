"""Staff care's work: the support requests of her centers, waiting ones first, each leading to
its support-request page; and every role's home page, whose counts match the pages it links
to."""

import re

import pytest

from incidents.services import support_follow_up_add
from tests.helpers import DEMO_ROLES, client_for, file_report


def rows(client, **params) -> list[str]:
    response = client.get("/escalations/support/", params)
    assert response.status_code == 200
    return re.findall(r'data-support-request="([^"]+)"', response.content.decode())


def count_of(html: str, attribute: str, value: str) -> int:
    found = re.search(rf'{attribute}="{value}"[^>]*>[^<]*<span[^>]*data-count="(\d+)"', html)
    assert found, (attribute, value)
    return int(found.group(1))


def test_staff_care_sees_waiting_requests_oldest_first_then_followed_up(
    demo, staff_tokyo, staff_osaka
):
    care = demo["care"]
    first = file_report(staff_tokyo, support_requested=True)
    second = file_report(staff_osaka, support_requested=True)
    unasked = file_report(staff_tokyo)
    client = client_for(care, language="en")
    waiting = rows(client)
    assert waiting.index(first.reference) < waiting.index(second.reference)
    assert unasked.reference not in waiting + rows(client, state="all")
    support_follow_up_add(report=first, by=care, note="Called her.")
    assert first.reference not in rows(client)
    assert rows(client, state="followed_up")[0] == first.reference
    html = client.get("/escalations/support/").content.decode()
    assert count_of(html, "data-state", "waiting") == len(rows(client))
    assert count_of(html, "data-state", "followed_up") == len(rows(client, state="followed_up"))


def test_each_request_leads_to_its_support_request_page_and_shows_nothing_of_the_incident(
    demo, staff_tokyo
):
    report = file_report(
        staff_tokyo,
        support_requested=True,
        candidate_id_entered="SR90000002",
        narrative="The candidate threw a chair at the desk.",
        demand="A free retest.",
    )
    client = client_for(demo["care"], language="en")
    html = client.get("/escalations/support/").content.decode()
    for secret in ("SR90000002", "threw a chair", "A free retest."):
        assert secret not in html
    assert "TKY-0042" in html  # who asked
    for href in set(re.findall(r'href="(/[^"]*)"', html)):
        assert client.get(href).status_code == 200, href
    page = client.get(f"/incidents/{report.reference}/").content.decode()
    assert "Support request" in page and "threw a chair" not in page


def test_supervisors_see_their_centers_requests_and_others_none(demo, staff_tokyo, staff_osaka):
    tokyo = file_report(staff_tokyo, support_requested=True)
    osaka = file_report(staff_osaka, support_requested=True)
    listed = rows(client_for(demo["supervisor.osaka"], language="en"), state="all")
    assert osaka.reference in listed and tokyo.reference not in listed
    for role in ("staff.tokyo", "manager", "legal", "admin", "outsider"):
        assert client_for(demo[role]).get("/escalations/support/").status_code == 404, role


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_reads_a_page_in_a_fixed_number_of_queries(
    without_reports, demo, staff_tokyo, django_assert_max_num_queries, count
):
    for _ in range(count):
        file_report(staff_tokyo, support_requested=True)
    client = client_for(demo["care"], language="en")
    client.get("/escalations/support/")
    with django_assert_max_num_queries(9):
        assert len(rows(client)) == count


def test_staff_care_has_a_home_page_with_her_work(demo, staff_tokyo):
    file_report(staff_tokyo, support_requested=True)
    html = client_for(demo["care"], language="en").get("/").content.decode()
    assert 'href="/escalations/support/" data-waiting="support"' in html
    assert "Support requests waiting for a follow-up" in html
    assert 'href="/escalations/" data-waiting="escalations"' in html
    assert "Staff who asked for support after an incident" in html  # and among her actions


# The page each home-page line links to, and how that page shows the same count.
def linked_count(client, key: str, url: str) -> int:
    html = client.get(url).content.decode()
    if key == "escalations":
        return count_of(html, "data-tab", "act")
    if key == "review":
        return count_of(html, "data-status", "open")
    if key == "support":
        return count_of(html, "data-state", "waiting")
    if key == "drafts":
        return html.count("data-report=")
    raise AssertionError(key)


@pytest.mark.parametrize("role", DEMO_ROLES)
def test_every_count_on_the_home_page_matches_the_page_it_links_to(
    demo, staff_tokyo, staff_osaka, role
):
    file_report(staff_tokyo, categories=("physical_attack",), support_requested=True)
    file_report(staff_osaka, support_requested=True)
    file_report(staff_tokyo, submit=False)
    client = client_for(demo[role], language="en")
    html = client.get("/").content.decode()
    items = re.findall(
        r'href="([^"]+)" data-waiting="(\w+)">.*?data-count="(\d+)"', html, flags=re.S
    )
    expected = {
        "staff.tokyo": {"drafts"},
        "staff.osaka": {"drafts"},
        "supervisor.tokyo": {"escalations", "review", "support", "drafts"},
        "supervisor.osaka": {"escalations", "review", "support", "drafts"},
        "manager": {"escalations", "review"},
        "legal": {"escalations", "review"},
        "admin": set(),  # told of nothing yet: no escalation waits for her
        "care": {"escalations", "support"},
    }[role]
    assert {key for _url, key, _count in items} == expected
    for url, key, count in items:
        assert linked_count(client, key, url.replace("&amp;", "&")) == int(count), key

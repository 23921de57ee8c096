"""The navbar's menu: drawn once per reader's kind and kept (templates/base.html, the
"navbar.menu" fragment), so each test reads it after someone else's, in the same process."""

import re

import pytest

from tests.helpers import client_for

MENU = re.compile(r'<ul class="navbar-nav me-auto text-nowrap">(.*?)</ul>', re.DOTALL)
ACCOUNT = re.compile(r'<ul class="dropdown-menu dropdown-menu-end">(.*?)</ul>', re.DOTALL)


def menu(client, path: str = "/accounts/profile/") -> dict[str, bool]:
    """Each menu entry's text, and whether it is marked as the page she is on."""
    found = MENU.search(client.get(path).content.decode())
    assert found, "a signed-in page has the menu"
    entries = re.findall(r"<a class=\"nav-link([^\"]*)\"[^>]*>(.*?)</a>", found.group(1), re.S)
    return {re.sub(r"<[^>]+>", "", text).strip(): "active" in classes for classes, text in entries}


def test_each_reader_gets_her_own_menu_whoever_opened_a_page_before(demo, outsider):
    manager = client_for(demo["manager"], language="en")
    staff = client_for(demo["staff.tokyo"], language="en")

    assert {"Review queue", "Case files", "Dashboard", "Check-in"} <= set(menu(manager))
    staff_menu = menu(staff)
    assert {"Report an incident", "My reports"} <= set(staff_menu)
    assert not {"Review queue", "Case files", "Dashboard", "Administration"} & set(staff_menu)
    assert "Report an incident" not in menu(manager)
    assert "Administration" in menu(client_for(demo["admin"], language="en"))
    assert set(menu(client_for(outsider, language="en"))) == {"Home", "Policy"}


def account_menu(client) -> list[str]:
    """The entries of her account menu (under her name)."""
    found = ACCOUNT.search(client.get("/accounts/profile/").content.decode())
    return [
        re.sub(r"<[^>]+>", "", text).strip()
        for text in re.findall(r'class="dropdown-item"[^>]*>(.*?)</', found.group(1), re.S)
    ]


@pytest.mark.parametrize(
    ("username", "has", "lacks"),
    [
        ("staff.tokyo", {"Notices"}, {"Audit trail"}),
        ("legal", {"Audit trail"}, {"Notices"}),
        ("manager", set(), {"Notices", "Audit trail"}),
    ],
)
def test_each_reader_gets_her_own_account_menu(demo, username, has, lacks):
    for other in ("staff.tokyo", "legal", "manager"):
        account_menu(client_for(demo[other], language="en"))  # everyone's drawn first

    entries = set(account_menu(client_for(demo[username], language="en")))

    assert {"Your profile", "Change password", "Sign-in security", "Sign out"} <= entries
    assert has <= entries and not lacks & entries


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", "Home"),
        ("/incidents/new/", "Report an incident"),
        ("/incidents/mine/", "My reports"),
        ("/policy/", "Policy"),
        ("/accounts/profile/", None),
    ],
)
def test_the_menu_marks_the_page_she_is_on(demo, path, current):
    staff = client_for(demo["staff.tokyo"], language="en")
    for other in ("/", "/incidents/mine/", "/policy/"):
        menu(staff, other)  # other pages' menus drawn first

    marked = [text for text, active in menu(staff, path).items() if active]

    assert marked == ([current] if current else [])


def test_the_menu_is_in_the_readers_language(demo):
    assert "報告する" in "".join(menu(client_for(demo["staff.tokyo"], language="ja")))
    assert "Report an incident" in menu(client_for(demo["staff.tokyo"], language="en"))

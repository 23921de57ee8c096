import pytest
from django.urls import reverse

from tests.conftest import DEMO_PASSWORD
from tests.helpers import client_for

# Every page of this issue; all need a login (the sign-in page, /healthz and static files
# are the only exceptions, tested below).
PRIVATE = [
    "/",
    "/policy/",
    "/policy/versions/",
    "/policy/versions/1/",
    "/accounts/password_change/",
]


@pytest.mark.parametrize("path", PRIVATE)
def test_every_page_asks_an_anonymous_visitor_to_sign_in(demo, path):
    response = client_for(None).get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={path}"


def test_the_admin_asks_an_anonymous_visitor_to_sign_in(demo):
    response = client_for(None).get("/admin/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_sign_in_page_healthz_and_static_files_are_public(demo):
    client = client_for(None)
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/static/css/portal.css").status_code == 200


def test_staff_sign_in_and_land_on_their_home_page(staff_tokyo):
    client = client_for(None, language="en")
    response = client.post(
        "/accounts/login/", {"username": "staff.tokyo", "password": DEMO_PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert "Welcome, 佐藤 美咲" in page
    assert "TKY-0042" in page
    assert "Staff — TKY01 Tokyo Test Center" in page
    assert "Read the harassment policy" in page
    assert "Administration" not in page


def test_a_wrong_password_gets_a_translated_error_and_keeps_the_username(staff_tokyo):
    response = client_for(None, language="ja").post(
        "/accounts/login/", {"username": "staff.tokyo", "password": "wrong-password"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "正しいユーザー名とパスワードを入力してください" in page
    assert 'value="staff.tokyo"' in page


def test_repeated_wrong_passwords_lock_the_account_for_a_while(staff_tokyo):
    client = client_for(None, language="en")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "staff.tokyo", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "staff.tokyo", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        (
            "supervisor.osaka",
            ["Supervisor — OSA01 Osaka Test Center", "Review queue", "Case files"],
        ),
        ("manager", ["Manager — all centers", "Review queue", "Check-in lookup"]),
        ("legal", ["Legal and compliance — all centers"]),
        ("admin", ["Administrator — all centers", "Edit and publish the policy"]),
    ],
)
def test_each_role_sees_who_they_are_and_their_actions(demo, username, expected):
    page = client_for(demo[username], language="en").get("/").content.decode()
    for text in expected:
        assert text in page


def test_a_user_without_a_role_is_told_to_ask_an_administrator(outsider):
    page = client_for(outsider, language="en").get("/").content.decode()
    assert "You have no role in any test center yet." in page


def test_signing_out_needs_a_post_and_ends_the_session(staff_tokyo):
    client = client_for(staff_tokyo)
    assert client.post("/accounts/logout/").status_code in (200, 302)
    assert client.get("/").status_code == 302


def test_staff_change_their_password(staff_tokyo):
    client = client_for(staff_tokyo, language="en")
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "a-much-longer-passphrase-2026",
            "new_password2": "a-much-longer-passphrase-2026",
        },
        follow=True,
    )
    assert "Your password was changed." in response.content.decode()
    staff_tokyo.refresh_from_db()
    assert staff_tokyo.check_password("a-much-longer-passphrase-2026")

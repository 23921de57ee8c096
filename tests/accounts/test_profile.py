"""Her own language: set on the profile page, defaulting to the language she signs in with,
and never changed by the navbar's switch (on a shared tablet, that is whoever used it last).
E-mails to her are written in it, whatever the language of the sender's page."""

import re

import pytest
from django.core import mail

from accounts.models import User
from tests.conftest import DEMO_PASSWORD
from tests.helpers import client_for, deliver_outbox, file_report


def setting_of(user: User) -> tuple[str, bool]:
    user.refresh_from_db()
    return user.language, user.language_chosen


def sign_in(language: str, username: str = "staff.tokyo"):
    client = client_for(None, language=language)
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    return client


def test_the_profile_shows_who_she_is_and_her_language(staff_tokyo):
    page = client_for(staff_tokyo, language="en").get("/accounts/profile/").content.decode()
    assert "Your profile" in page
    assert "TKY-0042" in page and "佐藤 美咲" in page and "staff.tokyo@example.com" in page
    assert "Staff — TKY01 Tokyo Test Center" in page
    assert "Language for e-mails and notifications" in page
    assert re.search(r'value="ja"[^>]*checked', page)  # her setting, chosen or not


def test_the_profile_reads_in_japanese(staff_tokyo):
    page = client_for(staff_tokyo, language="ja").get("/accounts/profile/").content.decode()
    assert "プロフィール" in page and "メールと通知の言語" in page


def test_the_profile_is_linked_from_the_user_menu(staff_tokyo):
    page = client_for(staff_tokyo, language="en").get("/").content.decode()
    assert 'href="/accounts/profile/"' in page


def test_she_sets_her_language_on_the_profile(staff_tokyo):
    client = client_for(staff_tokyo, language="ja")
    response = client.post("/accounts/profile/", {"language": "en"}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/profile/"
    assert setting_of(staff_tokyo) == ("en", True)
    page = response.content.decode()
    assert "メールと通知の言語を保存しました" in page
    assert '<html lang="ja">' in page  # the pages stay in the language of the switch


def test_a_language_the_portal_does_not_have_is_refused(staff_tokyo):
    response = client_for(staff_tokyo, language="en").post("/accounts/profile/", {"language": "fr"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert setting_of(staff_tokyo) == ("ja", False)


def test_signing_in_sets_the_language_while_she_has_not_chosen_one(staff_tokyo):
    sign_in("en")
    assert setting_of(staff_tokyo) == ("en", False)
    sign_in("ja")
    assert setting_of(staff_tokyo) == ("ja", False)


def test_signing_in_leaves_a_chosen_language_alone(staff_tokyo):
    client_for(staff_tokyo).post("/accounts/profile/", {"language": "ja"})
    sign_in("en")
    assert setting_of(staff_tokyo) == ("ja", True)


def test_the_language_switch_changes_the_pages_never_the_account(staff_tokyo):
    client = sign_in("ja")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/").content.decode()
    assert setting_of(staff_tokyo) == ("ja", False)


@pytest.mark.parametrize(
    ("reporter_language", "reviewer_page", "subject"),
    [
        ("en", "ja", "[Harassment Portal] A question about your report"),
        ("ja", "en", "についての質問"),
    ],
)
def test_the_question_email_is_in_the_reporters_language_not_the_reviewers(
    staff_tokyo, supervisor_tokyo, reporter_language, reviewer_page, subject
):
    report = file_report(staff_tokyo)
    client_for(staff_tokyo).post("/accounts/profile/", {"language": reporter_language})
    response = client_for(supervisor_tokyo, language=reviewer_page).post(
        f"/incidents/{report.reference}/review/question/", {"question": "Which desk?"}
    )
    assert response.status_code == 302
    mail.outbox.clear()
    assert deliver_outbox("information-request:") == 1
    (message,) = mail.outbox
    assert message.to == ["staff.tokyo@example.com"]
    assert subject in message.subject and report.reference in message.subject
    greeting = "Dear 佐藤 美咲" if reporter_language == "en" else "佐藤 美咲 様"
    assert greeting in message.body


def test_the_approval_email_is_in_the_managers_language(staff_tokyo, supervisor_tokyo, manager):
    from tests.incidents.test_decisions import propose

    case_file = file_report(staff_tokyo, candidate_id_entered="SR30000009").candidate.case_file
    client_for(manager).post("/accounts/profile/", {"language": "en"})
    propose(case_file, supervisor_tokyo, "testing_refused")
    mail.outbox.clear()
    assert deliver_outbox("approval-request:") == 1
    (message,) = mail.outbox
    assert "waits for your approval" in message.subject

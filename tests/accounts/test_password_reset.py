"""Password reset, open to anyone: its e-mail goes through the outbox in the account's
language with a link on SITE_URL whatever Host the request named, the page says the same
whether or not the address has an account, and it is rate-limited per e-mail address and per
client address (issue 11)."""

from __future__ import annotations

import re

from outbox.models import Email
from tests.conftest import DEMO_PASSWORD
from tests.helpers import client_for

SENT = "If the address belongs to an account, an e-mail with a link"


def ask(email: str, *, host: str = "testserver", address: str = "192.0.2.10"):
    client = client_for(None, language="en")
    return client.post(
        "/accounts/password_reset/",
        {"email": email},
        follow=True,
        HTTP_HOST=host,
        REMOTE_ADDR=address,
    )


def reset_emails(to: str) -> list[Email]:
    return list(Email.objects.filter(key__startswith="password-reset:", to=to).order_by("id"))


def link_in(email: Email) -> str:
    return re.search(r"https?://\S+/accounts/reset/\S+/", email.body_text).group(0)


def test_the_sign_in_page_offers_it_and_the_page_is_translated(db):
    assert "/accounts/password_reset/" in client_for(None).get("/accounts/login/").content.decode()
    page = client_for(None).get("/accounts/password_reset/").content.decode()
    assert "パスワード" in page and "Reset your password" not in page


def test_a_known_address_gets_one_e_mail_in_her_language_through_the_outbox(staff_tokyo):
    staff_tokyo.language = "en"
    staff_tokyo.save(update_fields=["language"])
    response = ask("staff.tokyo@example.com")
    assert response.status_code == 200 and SENT in response.content.decode()
    [email] = reset_emails("staff.tokyo@example.com")
    assert "Choose a new password" in email.subject
    assert staff_tokyo.staff_code in email.body_text
    assert staff_tokyo.display_name not in email.body_text  # staff codes, never names


def test_the_link_points_at_site_url_even_with_a_forged_host(staff_tokyo, settings):
    settings.ALLOWED_HOSTS = ["*"]  # a deployment that let any Host through
    settings.SITE_URL = "https://portal.example.jp"
    ask("staff.tokyo@example.com", host="evil.example")
    [email] = reset_emails("staff.tokyo@example.com")
    assert link_in(email).startswith("https://portal.example.jp/accounts/reset/")
    assert "evil.example" not in email.body_text and "evil.example" not in email.body_html


def test_an_unknown_address_gets_the_same_page_and_no_e_mail(db):
    known = ask("staff.tokyo@example.com").content.decode()
    unknown = ask("nobody@example.com").content.decode()
    assert SENT in unknown
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|data-session[^>]*')
    assert strip.sub("", known) == strip.sub("", unknown)
    assert not reset_emails("nobody@example.com")


def test_the_link_sets_a_new_password_once(staff_tokyo):
    ask("staff.tokyo@example.com")
    path = link_in(reset_emails("staff.tokyo@example.com")[0]).split("://", 1)[1]
    path = path[path.index("/") :]
    client = client_for(None, language="en")
    form = client.get(path, follow=True)
    assert form.status_code == 200
    new = "a-new-long-passphrase-2026"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert "Your password was changed" in done.content.decode()
    staff_tokyo.refresh_from_db()
    assert staff_tokyo.check_password(new) and not staff_tokyo.check_password(DEMO_PASSWORD)
    again = client_for(None, language="en").get(path, follow=True).content.decode()
    assert "This link is no longer valid" in again


def test_one_e_mail_address_gets_at_most_three_an_hour_and_the_page_does_not_say(staff_tokyo):
    pages = [
        ask("staff.tokyo@example.com", address=f"192.0.2.{n}").content.decode() for n in range(5)
    ]
    assert all(SENT in page for page in pages)
    assert len(reset_emails("staff.tokyo@example.com")) == 3


def test_one_client_address_gets_at_most_ten_requests_an_hour(demo):
    addresses = [f"{user.username}@example.com" for user in demo.values()] * 2
    assert len(addresses) > 12
    sent_after = []
    for email in addresses:
        assert SENT in ask(email, address="198.51.100.7").content.decode()
        sent_after.append(Email.objects.filter(key__startswith="password-reset:").count())
    assert sent_after[9] >= 8  # the first ten were sent (to those with an active account)
    assert set(sent_after[9:]) == {sent_after[9]}  # and nothing after them
    # Another client address is not held back by it.
    ask("staff.osaka@example.com", address="198.51.100.8")
    assert Email.objects.filter(key__startswith="password-reset:").count() == sent_after[9] + 1

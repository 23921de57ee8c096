from tests.helpers import client_for


def test_japanese_is_the_default_language(staff_tokyo):
    from django.test import Client

    client = Client()  # no cookie, no Accept-Language
    client.force_login(staff_tokyo, backend="accounts.backends.PortalBackend")
    page = client.get("/").content.decode()
    assert '<html lang="ja">' in page
    assert "ようこそ" in page


def test_the_browser_language_is_respected_on_a_first_visit(demo):
    from django.test import Client

    page = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/accounts/login/").content.decode()
    assert '<html lang="en">' in page and "Sign in" in page


def test_the_language_switch_is_remembered(staff_tokyo):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(staff_tokyo, backend="accounts.backends.PortalBackend")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/policy/"})
    assert response.status_code == 302 and response["Location"] == "/policy/"
    assert response.cookies["django_language"].value == "en"
    assert response.cookies["django_language"]["max-age"] == 365 * 24 * 60 * 60
    assert '<html lang="en">' in client.get("/").content.decode()


def test_the_language_can_be_switched_before_signing_in(demo):
    client = client_for(None, language="ja")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert "Sign in with the account" in client.get("/accounts/login/").content.decode()


def test_the_navbar_offers_both_languages_by_their_own_names(staff_tokyo):
    page = client_for(staff_tokyo, language="en").get("/").content.decode()
    assert 'value="ja" lang="ja"' in page and "日本語" in page
    assert 'value="en" lang="en"' in page and "English" in page


def test_the_admin_names_every_app_in_japanese(admin):
    page = client_for(admin, language="ja").get("/admin/").content.decode()
    assert "サインインのロック" in page and "変更履歴" in page
    assert ">Axes<" not in page and ">Pghistory<" not in page


def test_lists_of_behaviours_are_joined_as_each_language_joins_them(staff_tokyo):
    from django.utils import translation

    from policy.models import Category
    from tests.helpers import file_report

    file_report(staff_tokyo, categories=("verbal_abuse", "prolonged_detention"))
    abuse = Category.objects.get(code="verbal_abuse")
    detention = Category.objects.get(code="prolonged_detention")
    for language, separator in (("en", ", "), ("ja", "、")):
        with translation.override(language):
            expected = f"{abuse.name}{separator}{detention.name}"
        page = client_for(staff_tokyo, language=language).get("/incidents/mine/")
        assert expected in page.content.decode(), language

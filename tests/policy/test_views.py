import pytest

from policy.models import PolicyVersion
from policy.services import policy_version_create_draft, policy_version_publish
from tests.helpers import client_for

PAGES = ["/policy/", "/policy/versions/", "/policy/versions/1/"]


@pytest.mark.parametrize("path", PAGES)
def test_policy_pages_require_a_login(demo, path):
    response = client_for(None).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_staff_read_the_policy_in_japanese_by_default(staff_tokyo):
    response = client_for(staff_tokyo, language="ja").get("/policy/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "カスタマーハラスメント" in page
    assert "はじめに" in page and "Introduction" not in page
    assert page.count('data-category="') == 13
    assert "身体的な攻撃" in page


def test_staff_read_the_policy_in_english(staff_tokyo):
    page = client_for(staff_tokyo, language="en").get("/policy/").content.decode()
    assert "Introduction" in page and "はじめに" not in page
    # Paragraphs are paragraphs and the examples a list, as in the published text.
    assert "<p>While providing services to realize this philosophy," in page
    assert "<li>Sexual harassment, stalking, and discriminatory behavior" in page
    assert "('text'" not in page
    assert "Dealing with Customer Harassment" in page
    assert page.count('data-category="') == 13
    assert 'data-category="physical_attack"' in page


def test_a_section_missing_in_english_falls_back_to_japanese_and_is_marked(staff_tokyo, admin):
    draft = policy_version_create_draft(
        source=PolicyVersion.objects.get(number=1), created_by=admin
    )
    draft.sections.create(key="care", order=99, heading_ja="スタッフのケア", body_ja="相談窓口")
    policy_version_publish(version=draft, published_by=admin)
    page = client_for(staff_tokyo, language="en").get("/policy/").content.decode()
    assert "スタッフのケア" in page and "相談窓口" in page
    assert "not yet translated" in page
    page_ja = client_for(staff_tokyo, language="ja").get("/policy/").content.decode()
    assert "スタッフのケア" in page_ja and "未翻訳" not in page_ja


def test_staff_see_a_new_version_at_once_and_the_old_one_stays_in_the_history(staff_tokyo, admin):
    draft = policy_version_create_draft(
        source=PolicyVersion.objects.get(number=1), created_by=admin
    )
    section = draft.sections.get(key="measures")
    section.body_en = section.body_en + " We also support staff who were harmed."
    section.save()
    policy_version_publish(version=draft, published_by=admin)
    client = client_for(staff_tokyo, language="en")
    assert "We also support staff who were harmed." in client.get("/policy/").content.decode()
    history = client.get("/policy/versions/").content.decode()
    assert "v1" in history and "v2" in history and "Archived" in history
    old = client.get("/policy/versions/1/").content.decode()
    assert "no longer in force" in old
    assert "We also support staff who were harmed." not in old


def test_the_history_shows_what_changed_between_two_versions(staff_tokyo, admin):
    draft = policy_version_create_draft(
        source=PolicyVersion.objects.get(number=1), created_by=admin
    )
    section = draft.sections.get(key="measures")
    section.body_ja = section.body_ja.replace("法的措置", "法的措置および出入禁止")
    section.save()
    policy_version_publish(version=draft, published_by=admin)
    page = (
        client_for(staff_tokyo, language="ja")
        .get("/policy/versions/", {"from": 1, "to": 2})
        .content.decode()
    )
    assert '<ins class="diff-added">および出入禁止</ins>' in page
    assert page.count('data-section-state="changed"') == 1
    assert page.count('data-section-state="same"') == 3


def test_comparing_a_version_with_itself_is_explained(staff_tokyo):
    page = client_for(staff_tokyo, language="en").get("/policy/versions/", {"from": 1, "to": 1})
    assert "Choose two different versions to compare." in page.content.decode()


def test_drafts_are_invisible_to_staff_and_previewable_by_admins(staff_tokyo, admin):
    draft = policy_version_create_draft(
        source=PolicyVersion.objects.get(number=1), created_by=admin
    )
    assert client_for(staff_tokyo).get(f"/policy/versions/{draft.number}/").status_code == 404
    assert (
        # >v2<, as the list and the comparison's options show it (a CSRF token may hold "v2")
        f">v{draft.number}<"
        not in client_for(staff_tokyo).get("/policy/versions/").content.decode()
    )
    preview = client_for(admin, language="en").get(f"/policy/versions/{draft.number}/")
    assert preview.status_code == 200
    assert "Preview of a draft." in preview.content.decode()


def test_an_empty_portal_says_no_policy_is_published(without_reports):
    import pgtrigger

    from accounts.models import User

    # The migrations publish version 1; only a deliberate bypass of the guard removes it.
    with pgtrigger.ignore(
        "policy.PolicyVersion:policy_version_kept_once_published",
        "policy.PolicySection:policy_section_only_in_draft",
    ):
        PolicyVersion.objects.all().delete()
    reader = User.objects.create_user("reader", staff_code="TKY-0999", password="x" * 12)
    page = client_for(reader, language="en").get("/policy/").content.decode()
    assert "No policy has been published yet" in page

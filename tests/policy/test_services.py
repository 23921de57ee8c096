import pytest
from django.db import DatabaseError, IntegrityError, transaction

from policy.models import Category, PolicySection, PolicyVersion, PolicyVersionStatus
from policy.services import PolicyError, policy_version_create_draft, policy_version_publish


def current() -> PolicyVersion:
    return PolicyVersion.objects.get(status=PolicyVersionStatus.PUBLISHED)


def test_the_seed_publishes_version_one_with_four_sections_and_thirteen_categories(demo):
    version = current()
    assert version.number == 1
    assert list(version.sections.values_list("key", flat=True)) == [
        "introduction",
        "definition",
        "examples",
        "measures",
    ]
    assert all(s.body_ja and s.body_en for s in version.sections.all())
    assert Category.objects.filter(active=True).count() == 13
    assert Category.objects.get(code="physical_attack").default_severity == "critical"


def test_a_new_draft_copies_every_section_and_takes_the_next_number(demo, admin):
    draft = policy_version_create_draft(source=current(), created_by=admin)
    assert (draft.number, draft.status, draft.based_on) == (2, "draft", current())
    copied = list(draft.sections.values_list("key", "body_ja", "body_en"))
    assert copied == list(current().sections.values_list("key", "body_ja", "body_en"))


def test_publishing_a_draft_archives_the_version_in_force(demo, admin):
    draft = policy_version_create_draft(source=current(), created_by=admin)
    policy_version_publish(version=draft, published_by=admin)
    draft.refresh_from_db()
    assert draft.status == "published"
    assert draft.published_by == admin and draft.published_at and draft.effective_date
    assert PolicyVersion.objects.get(number=1).status == "archived"
    assert PolicyVersion.objects.filter(status="published").count() == 1


def test_only_a_draft_can_be_published(demo, admin):
    with pytest.raises(PolicyError):
        policy_version_publish(version=current(), published_by=admin)


def test_an_empty_draft_cannot_be_published(demo, admin):
    empty = PolicyVersion.objects.create(number=9, title_ja="空", title_en="Empty")
    with pytest.raises(PolicyError):
        policy_version_publish(version=empty, published_by=admin)
    empty.refresh_from_db()
    assert empty.status == "draft"


def test_the_database_refuses_a_second_published_version_even_past_the_service(demo, admin):
    draft = policy_version_create_draft(source=current(), created_by=admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyVersion.objects.filter(pk=draft.pk).update(
            status="published", published_at=current().published_at, effective_date="2026-01-01"
        )


def test_the_text_of_a_published_version_can_never_change(demo):
    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyVersion.objects.filter(number=1).update(title_en="Rewritten")
    section = current().sections.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicySection.objects.filter(pk=section.pk).update(body_en="Rewritten")
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicySection.objects.create(version=current(), key="new", heading_en="New")
    with pytest.raises(DatabaseError), transaction.atomic():
        current().delete()
    assert PolicySection.objects.get(pk=section.pk).body_en == section.body_en


def test_a_published_version_never_returns_to_draft(demo):
    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyVersion.objects.filter(number=1).update(status="draft")


def test_a_draft_can_be_edited_freely(demo, admin):
    draft = policy_version_create_draft(source=current(), created_by=admin)
    section = draft.sections.get(key="measures")
    section.body_ja = "改訂した本文"
    section.save()
    assert draft.sections.get(key="measures").body_ja == "改訂した本文"
    assert current().sections.get(key="measures").body_ja != "改訂した本文"


def test_category_codes_are_fixed_and_categories_are_never_deleted(demo):
    category = Category.objects.get(code="other")
    with pytest.raises(DatabaseError), transaction.atomic():
        Category.objects.filter(pk=category.pk).update(code="misc")
    with pytest.raises(DatabaseError), transaction.atomic():
        category.delete()
    category.name_en = "Other behaviour"
    category.save()  # renaming is allowed
    assert Category.objects.get(code="other").name_en == "Other behaviour"


def test_policy_changes_are_kept_with_who_made_them(demo, admin):
    import pghistory

    draft = policy_version_create_draft(source=current(), created_by=admin)
    with pghistory.context(user=admin.pk, url="/admin/"):
        section = draft.sections.get(key="measures")
        section.body_en = "Changed."
        section.save()
    event = section.events.order_by("-pgh_id").first()
    assert event.pgh_label == "update"
    assert event.body_en == "Changed."
    assert event.pgh_context.metadata["user"] == admin.pk

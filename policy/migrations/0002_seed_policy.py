"""The policy every deployment starts from: the thirteen behaviour categories and version 1
of the text, published. Admins edit both in Django admin afterwards (never this data)."""

from django.db import migrations
from django.utils import timezone

from policy import seed_data


def seed(apps, schema_editor):
    Category = apps.get_model("policy", "Category")
    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    PolicySection = apps.get_model("policy", "PolicySection")
    for order, category in enumerate(seed_data.CATEGORIES, start=1):
        Category.objects.get_or_create(
            code=category["code"], defaults={**category, "order": order * 10}
        )
    if PolicyVersion.objects.exists():
        return
    version = PolicyVersion.objects.create(
        number=1,
        title_ja=seed_data.POLICY_TITLE["ja"],
        title_en=seed_data.POLICY_TITLE["en"],
        change_note="初版 / First edition",
    )
    for order, section in enumerate(seed_data.POLICY_SECTIONS, start=1):
        PolicySection.objects.create(version=version, order=order * 10, **section)
    now = timezone.now()
    # Draft to published, the one move a frozen-version trigger allows.
    PolicyVersion.objects.filter(pk=version.pk).update(
        status="published", published_at=now, effective_date=timezone.localdate(now)
    )


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""The escalation rules of DESIGN.md §5, seeded so that a new deployment escalates from its
first report. Admins edit them in Django admin afterwards."""

from django.db import migrations

from incidents.seed_rules import seed_default_rules


def seed(apps, schema_editor):
    seed_default_rules(
        apps.get_model("incidents", "EscalationRule"), apps.get_model("policy", "Category")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_escalation"),
        ("policy", "0002_seed_policy"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

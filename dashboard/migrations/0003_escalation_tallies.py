"""The dashboard's rollup of escalations (dashboard/models.py: EscalationTally, DueTally)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_language_chosen"),
        ("dashboard", "0002_rollup_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="DueTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("due", models.DateField()),
                ("waiting", models.IntegerField(db_default=0)),
                (
                    "center",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.testcenter",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("center", "month", "due"), name="due_tally_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="EscalationTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("raised", models.IntegerField(db_default=0)),
                ("open", models.IntegerField(db_default=0)),
                ("late", models.IntegerField(db_default=0)),
                (
                    "center",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.testcenter",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("center", "month"), name="escalation_tally_unique"
                    )
                ],
            },
        ),
    ]

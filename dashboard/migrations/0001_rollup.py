"""The dashboard's rollup: the tallies of each center and month (dashboard/models.py)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0004_user_language_chosen"),
        ("policy", "0003_candidate_notice_settings"),
    ]

    operations = [
        migrations.CreateModel(
            name="CategoryTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("reports", models.IntegerField(db_default=0)),
                (
                    "category",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="policy.category",
                    ),
                ),
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
                        fields=("center", "month", "category"), name="category_tally_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="MonthTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("reports", models.IntegerField(db_default=0)),
                ("critical", models.IntegerField(db_default=0)),
                ("high", models.IntegerField(db_default=0)),
                ("medium", models.IntegerField(db_default=0)),
                ("low", models.IntegerField(db_default=0)),
                ("asked_support", models.IntegerField(db_default=0)),
                ("support_followed_up", models.IntegerField(db_default=0)),
                ("asked_advice", models.IntegerField(db_default=0)),
                ("triaged", models.IntegerField(db_default=0)),
                ("decided", models.IntegerField(db_default=0)),
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
                    models.UniqueConstraint(fields=("center", "month"), name="month_tally_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="WaitTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("wait", models.SmallIntegerField(choices=[(1, "triage"), (2, "decision")])),
                ("tenths", models.IntegerField()),
                ("reports", models.IntegerField(db_default=0)),
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
                        fields=("center", "month", "wait", "tenths"), name="wait_tally_unique"
                    )
                ],
            },
        ),
    ]

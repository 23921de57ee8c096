"""The dashboard's waits in bands (dashboard/models.py: WaitBandTally), and an index of the waits by their length."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_language_chosen"),
        ("dashboard", "0004_escalation_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="WaitBandTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("wait", models.SmallIntegerField(choices=[(1, "triage"), (2, "decision")])),
                ("width", models.IntegerField()),
                ("band", models.IntegerField()),
                ("reports", models.IntegerField(db_default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name="waittally",
            index=models.Index(
                fields=["wait", "tenths", "center", "month"],
                include=("reports",),
                name="wait_tally_by_tenths",
            ),
        ),
        migrations.AddField(
            model_name="waitbandtally",
            name="center",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.testcenter",
            ),
        ),
        migrations.AddIndex(
            model_name="waitbandtally",
            index=models.Index(
                fields=["wait", "width", "band", "center", "month"],
                include=("reports",),
                name="wait_band_tally_by_band",
            ),
        ),
        migrations.AddConstraint(
            model_name="waitbandtally",
            constraint=models.UniqueConstraint(
                fields=("center", "month", "wait", "width", "band"), name="wait_band_tally_unique"
            ),
        ),
    ]

"""The dashboard's rollup of repeat candidates (dashboard/models.py: RepeatTally)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0006_wait_band_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="RepeatTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("scope", models.BigIntegerField()),
                ("month", models.DateField()),
                ("kind", models.SmallIntegerField()),
                ("since", models.SmallIntegerField()),
                ("before", models.SmallIntegerField()),
                ("candidates", models.IntegerField(db_default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("scope", "month", "kind", "since", "before"),
                        name="repeat_tally_unique",
                    )
                ],
            },
        ),
    ]

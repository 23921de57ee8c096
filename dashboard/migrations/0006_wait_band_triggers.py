"""The bands of the waits (WaitBandTally) kept from the waits (WaitTally) by statement
triggers on it, whatever writes it (the reports' triggers, dashboard_tallies_rebuild()),
and filled from it once here."""

# The SQL below is assembled from this module's constants and 0002's only.
# ruff: noqa: S608
from importlib import import_module

from django.db import migrations

reports = import_module("dashboard.migrations.0002_rollup_triggers")

WIDTHS = (100, 10_000)


def _bands(rows: str) -> str:
    """The bands' changes for the waits among ``rows`` (center_id, month, wait, tenths, and
    reports: how many more, or fewer, waited that long)."""
    bands = " UNION ALL ".join(
        f"SELECT center_id, month, wait, {width} AS width, tenths / {width} AS band, reports "
        "FROM waits"
        for width in WIDTHS
    )
    return f"""
    WITH waits AS ({rows})
    INSERT INTO dashboard_waitbandtally AS tally (center_id, month, wait, width, band, reports)
    SELECT center_id, month, wait, width, band, sum(reports) FROM ({bands}) AS bands
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(reports) <> 0 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (center_id, month, wait, width, band)
    DO UPDATE SET reports = tally.reports + excluded.reports;
    """


COLUMNS = "center_id, month, wait, tenths"
WAITS = "dashboard_waittally"
TRIGGERS = [
    (WAITS, "INSERT", _bands(f"SELECT {COLUMNS}, reports FROM new_rows")),
    (WAITS, "DELETE", _bands(f"SELECT {COLUMNS}, -reports AS reports FROM old_rows")),
    (
        WAITS,
        "UPDATE",
        _bands(
            f"SELECT {COLUMNS}, reports FROM new_rows "
            f"UNION ALL SELECT {COLUMNS}, -reports AS reports FROM old_rows"
        ),
    ),
]
EMPTIED = [(WAITS, "DELETE FROM dashboard_waitbandtally;")]


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0005_wait_bands")]

    operations = [
        migrations.RunSQL(
            [
                "DELETE FROM dashboard_waitbandtally;",
                *reports.install(TRIGGERS, EMPTIED),
                _bands(f"SELECT {COLUMNS}, reports FROM {WAITS}"),
            ],
            reports.uninstall(TRIGGERS, EMPTIED),
        )
    ]

"""The rollup's triggers on the reports return at once when a statement changed nothing they
count (a draft saved, a record's text or status within review changed): a statement
trigger fires even for rows that change no figure, and each of their upserts, even of no
row, fired the waits' own triggers in turn (about 2 ms a submission, most of it for
nothing). Same functions otherwise (0004, 0008)."""

from importlib import import_module

from django.db import migrations

reports = import_module("dashboard.migrations.0002_rollup_triggers")
escalations = import_module("dashboard.migrations.0004_escalation_triggers")
repeats = import_module("dashboard.migrations.0008_repeat_triggers")

RECORDS = f"(SELECT FROM {{rows}} WHERE {reports.RECORD})"


def _counted(alias: str) -> str:
    return (
        f"({alias}.status IN ('submitted', 'under_review', 'closed') "
        f"AND {alias}.reference IS NOT NULL)"
    )


# An update counts only if the report was or is a record (a submission's first statements,
# before its reference is given, count for nothing).
EITHER = f"({_counted('n')} OR {_counted('o')})"
# When each function has nothing to do.
NOTHING_COUNTED = {
    ("figures", "INSERT"): "NOT EXISTS " + RECORDS.format(rows="new_rows"),
    ("figures", "DELETE"): "NOT EXISTS " + RECORDS.format(rows="old_rows"),
    ("figures", "UPDATE"): (
        "NOT EXISTS (SELECT FROM new_rows n JOIN old_rows o USING (id) "
        f"WHERE {reports.UPDATED} AND {EITHER})"
    ),
    ("repeats", "INSERT"): "NOT EXISTS " + RECORDS.format(rows="new_rows"),
    ("repeats", "DELETE"): "NOT EXISTS " + RECORDS.format(rows="old_rows"),
    ("repeats", "UPDATE"): f"NOT EXISTS (SELECT {repeats.PAIRS} AND {EITHER})",
}


def _guarded(function: str, condition: str) -> str:
    return function.replace("BEGIN\n", f"BEGIN\nIF {condition} THEN RETURN NULL; END IF;\n", 1)


def _functions(guarded: bool) -> list[str]:
    statements = []
    for event in ("INSERT", "DELETE", "UPDATE"):
        figures = escalations._report_function(event, True)
        repeat = reports.function(
            f"dashboard_repeats_{event.lower()}", repeats.EVENTS[event], replace=True
        )
        if guarded:
            figures = _guarded(figures, NOTHING_COUNTED["figures", event])
            repeat = _guarded(repeat, NOTHING_COUNTED["repeats", event])
        statements += [figures, repeat]
    return statements


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0008_repeat_triggers")]

    operations = [migrations.RunSQL(_functions(True), _functions(False))]

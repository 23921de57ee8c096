"""The dashboard's rollup as a whole (dashboard/models.py): computed again from the reports,
and what it holds, to compare the tallies the triggers kept with the ones from scratch."""

from __future__ import annotations

from django.db import connection

from .models import (
    CategoryTally,
    DueTally,
    EscalationTally,
    MonthTally,
    RepeatTally,
    WaitBandTally,
    WaitTally,
)

# Each tally and its count: a row whose count went back to zero holds nothing (the
# triggers leave it, a computation from scratch never writes it).
TALLIES = {
    MonthTally: "reports",
    CategoryTally: "reports",
    WaitTally: "reports",
    WaitBandTally: "reports",
    EscalationTally: "raised",
    DueTally: "waiting",
    RepeatTally: "candidates",
}


def tallies_rebuild() -> None:
    """Every tally computed again from the reports (dashboard_tallies_rebuild(), migration
    0008), in the caller's transaction, which waits for any write in flight to commit."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT dashboard_tallies_rebuild()")


def tally_contents() -> dict[str, set[tuple]]:
    """Each tally's rows, without their ids, but those that hold nothing."""
    contents = {}
    for model, count in TALLIES.items():
        fields = [field.attname for field in model._meta.concrete_fields if not field.primary_key]
        rows = model.objects.exclude(**{count: 0}).values_list(*fields)
        contents[model.__name__] = set(rows)
    return contents

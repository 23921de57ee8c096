"""Repeat candidates in the dashboard's rollup (RepeatTally), kept by statement triggers of
their own on the reports: a statement that adds, removes or moves a record (submission, a
report linked to another candidate, a merge, a change of center or time) counts the chains
of each candidate it touched again, as they were (-1) and as they are (+1), globally and
per center. dashboard_tallies_rebuild() computes them from scratch too."""

# The SQL below is assembled from this module's constants and 0002's and 0004's only.
# ruff: noqa: S608
from importlib import import_module

from django.db import migrations

reports = import_module("dashboard.migrations.0002_rollup_triggers")
escalations = import_module("dashboard.migrations.0004_escalation_triggers")

# A month as a number (year × 12 + month - 1), in Tokyo, as the rollup's months.
AT = (
    "(date_part('year', submitted_at AT TIME ZONE 'Asia/Tokyo') * 12 "
    "+ date_part('month', submitted_at AT TIME ZONE 'Asia/Tokyo') - 1)::integer"
)
# The longest period a page shows (dashboard.forms.MAX_MONTHS): a record counts only if its
# previous record is at most 35 months before it, and a record further back than that is
# as good as none (36).
REACH = 36
COLUMNS = "id, candidate_id, center_id, submitted_at"


def _repeats(states: str) -> str:
    """The tally's change for ``states`` (a WITH clause ending in ``states``: sign, id,
    candidate_id, center_id, submitted_at of every record of each candidate concerned, as
    it was with -1 and as it is with +1)."""
    return f"""
    {states}, placed AS (
        SELECT sign, candidate_id, center_id, submitted_at, id, {AT} AS at FROM states
    ), chains AS (
        SELECT sign, 0::bigint AS scope, at, lag(at, 1) OVER every AS p1,
            lag(at, 2) OVER every AS p2, lag(at, 3) OVER every AS p3
        FROM placed WINDOW every AS (PARTITION BY sign, candidate_id ORDER BY submitted_at, id)
        UNION ALL
        SELECT sign, center_id, at, lag(at, 1) OVER own, lag(at, 2) OVER own, lag(at, 3) OVER own
        FROM placed
        WINDOW own AS (PARTITION BY sign, candidate_id, center_id ORDER BY submitted_at, id)
    ), counted AS (
        SELECT sign, scope, at, 2 AS kind, at - p1 AS since,
            coalesce(least(at - p2, {REACH}), {REACH}) AS before
        FROM chains WHERE at - p1 < {REACH}
        UNION ALL
        SELECT sign, scope, at, 3, at - p2, coalesce(least(at - p3, {REACH}), {REACH})
        FROM chains WHERE at - p2 < {REACH}
    )
    INSERT INTO dashboard_repeattally AS tally (scope, month, kind, since, before, candidates)
    SELECT scope, make_date(at / 12, at % 12 + 1, 1), kind, since, before, sum(sign)
    FROM counted GROUP BY scope, at, kind, since, before HAVING sum(sign) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (scope, month, kind, since, before)
    DO UPDATE SET candidates = tally.candidates + excluded.candidates;
    """


def _written(old: str, new: str) -> str:
    """The states of the candidates whose records a statement changed: ``old`` the rows it
    changed as they were, ``new`` as they are."""
    return f"""WITH was AS ({old}), written AS ({new}), affected AS (
        SELECT candidate_id FROM was WHERE candidate_id IS NOT NULL AND {reports.RECORD}
        UNION SELECT candidate_id FROM written
        WHERE candidate_id IS NOT NULL AND {reports.RECORD}
    ), now_records AS (
        SELECT {COLUMNS} FROM incidents_incidentreport report
        WHERE candidate_id IN (SELECT candidate_id FROM affected)
            AND report.{reports.RECORD_OF_REPORT}
    ), states AS (
        SELECT 1 AS sign, {COLUMNS} FROM now_records
        UNION ALL
        SELECT -1, {COLUMNS} FROM now_records WHERE id NOT IN (SELECT id FROM written)
        UNION ALL
        SELECT -1, {COLUMNS} FROM was WHERE candidate_id IS NOT NULL AND {reports.RECORD}
    )"""


NOTHING = "SELECT * FROM incidents_incidentreport WHERE false"
# What a record's place in the chains depends on.
PLACE = (
    "status IN ('submitted', 'under_review', 'closed')",
    "reference IS NULL",
    "candidate_id",
    "center_id",
    "submitted_at",
)
MOVED = "({}) IS DISTINCT FROM ({})".format(
    ", ".join(f"n.{column}" for column in PLACE), ", ".join(f"o.{column}" for column in PLACE)
)
PAIRS = "FROM new_rows n JOIN old_rows o USING (id) WHERE " + MOVED
EVENTS = {
    "INSERT": _repeats(_written(NOTHING, "SELECT * FROM new_rows")),
    "DELETE": _repeats(_written("SELECT * FROM old_rows", NOTHING)),
    "UPDATE": _repeats(_written(f"SELECT o.* {PAIRS}", f"SELECT n.* {PAIRS}")),
}
EVERY_RECORD = f"""WITH states AS (
    SELECT 1 AS sign, {COLUMNS} FROM incidents_incidentreport report
    WHERE candidate_id IS NOT NULL AND report.{reports.RECORD_OF_REPORT}
)"""
TABLE = "incidents_incidentreport"


def _install() -> list[str]:
    statements = []
    for event, body in EVENTS.items():
        name = f"dashboard_repeats_{event.lower()}"
        transitions = {
            "INSERT": "NEW TABLE AS new_rows",
            "DELETE": "OLD TABLE AS old_rows",
            "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        }[event]
        statements += [
            reports.function(name, body),
            f"CREATE TRIGGER {name} AFTER {event} ON {TABLE} REFERENCING {transitions} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}();",
        ]
    statements += [
        reports.function("dashboard_repeats_truncate", "DELETE FROM dashboard_repeattally;"),
        f"CREATE TRIGGER dashboard_repeats_truncate AFTER TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION dashboard_repeats_truncate();",
    ]
    tallies, body = escalations.rebuild_parts()
    body += "DELETE FROM dashboard_repeattally;" + _repeats(EVERY_RECORD)
    rebuild = reports.rebuild(f"{tallies}, dashboard_repeattally", body)
    return [*statements, rebuild, "SELECT dashboard_tallies_rebuild();"]


def _uninstall() -> list[str]:
    statements = [reports.rebuild(*escalations.rebuild_parts())]
    for event in (*EVENTS, "TRUNCATE"):
        name = f"dashboard_repeats_{event.lower()}"
        statements += [f"DROP TRIGGER {name} ON {TABLE};", f"DROP FUNCTION {name}();"]
    return statements


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0007_repeat_tally")]

    operations = [migrations.RunSQL(_install(), _uninstall())]

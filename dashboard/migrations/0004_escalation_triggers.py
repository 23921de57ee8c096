"""The escalations in the dashboard's rollup (EscalationTally, DueTally), kept as 0002 keeps
the reports' figures: statement triggers on the escalations, and the reports' triggers
extended to carry a record's escalations with it (counted from its reference number, moved
with its center or month). dashboard_tallies_rebuild() computes them from scratch too."""

# The SQL below is assembled from this module's constants and 0002's only.
# ruff: noqa: S608
from importlib import import_module

from django.db import migrations

reports = import_module("dashboard.migrations.0002_rollup_triggers")

MONTH = reports.MONTH.format(moment="report.submitted_at")
COUNTED = f"report.{reports.RECORD_OF_REPORT}"
NOTHING = "SELECT * FROM incidents_escalation WHERE false"


def _figures(escalations: str) -> str:
    """The two tallies' changes for ``escalations`` (a WITH clause defining it: sign, id,
    center_id, month, ack_deadline, acknowledged_at, last: no escalation raised from it)."""
    return f"""
    {escalations}
    INSERT INTO dashboard_escalationtally AS tally (center_id, month, raised, open, late)
    SELECT center_id, month, sum(sign),
        coalesce(sum(sign) FILTER (WHERE acknowledged_at IS NULL AND last), 0),
        coalesce(sum(sign) FILTER (WHERE acknowledged_at > ack_deadline), 0)
    FROM escalations GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (center_id, month) DO UPDATE SET raised = tally.raised + excluded.raised,
        open = tally.open + excluded.open, late = tally.late + excluded.late;

    {escalations}
    INSERT INTO dashboard_duetally AS tally (center_id, month, due, waiting)
    SELECT center_id, month, (ack_deadline AT TIME ZONE 'Asia/Tokyo')::date, sum(sign)
    FROM escalations WHERE acknowledged_at IS NULL AND ack_deadline IS NOT NULL
    GROUP BY 1, 2, 3 HAVING sum(sign) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (center_id, month, due) DO UPDATE SET waiting = tally.waiting + excluded.waiting;
    """


_LAST = "NOT EXISTS (SELECT FROM incidents_escalation nxt WHERE nxt.previous_id = {row}.id)"


def _written(old: str, new: str) -> str:
    """What a statement on the escalations changed: each escalation it wrote, and each one
    they were raised from (which waits as itself only while nothing was raised from it),
    counted as it was (-1, the table before the statement: ``old``, the rows written as they
    were, and the rest as they are) and as it is (+1). ``new``: the rows as written."""
    return f"""WITH written_was AS ({old}), written AS ({new}), touched AS (
        SELECT id FROM written_was UNION SELECT id FROM written
        UNION SELECT previous_id FROM written_was WHERE previous_id IS NOT NULL
        UNION SELECT previous_id FROM written WHERE previous_id IS NOT NULL
    ), images AS (
        SELECT -1 AS sign, was.id, was.report_id, was.ack_deadline, was.acknowledged_at,
            NOT EXISTS (SELECT FROM written_was nxt WHERE nxt.previous_id = was.id)
            AND NOT EXISTS (SELECT FROM incidents_escalation nxt WHERE nxt.previous_id = was.id
                            AND nxt.id NOT IN (SELECT id FROM written)) AS last
        FROM (
            SELECT * FROM written_was
            UNION ALL SELECT e.* FROM incidents_escalation e
            WHERE e.id IN (SELECT id FROM touched) AND e.id NOT IN (SELECT id FROM written)
        ) AS was WHERE was.id IN (SELECT id FROM touched)
        UNION ALL
        SELECT 1, e.id, e.report_id, e.ack_deadline, e.acknowledged_at, {_LAST.format(row="e")}
        FROM incidents_escalation e WHERE e.id IN (SELECT id FROM touched)
    ), escalations AS (
        SELECT images.sign, images.id, report.center_id, {MONTH} AS month,
            images.ack_deadline, images.acknowledged_at, images.last
        FROM images JOIN incidents_incidentreport report ON report.id = images.report_id
        WHERE {COUNTED}
    )"""


def _of_reports(rows: str) -> str:
    """The escalations of the records among ``rows`` (the reports' trigger's), counted in
    the center and month of each image of the report."""
    return f"""WITH changed AS (
        SELECT sign, id, center_id, {reports.MONTH.format(moment="submitted_at")} AS month
        FROM ({rows}) AS report WHERE {reports.RECORD}
    ), escalations AS (
        SELECT changed.sign, e.id, changed.center_id, changed.month, e.ack_deadline,
            e.acknowledged_at, {_LAST.format(row="e")} AS last
        FROM changed JOIN incidents_escalation e ON e.report_id = changed.id
    )"""


REPORT_ROWS = {event: rows for table, event, rows in reports.REPORT_ROWS}
ESCALATIONS = "incidents_escalation"
TRIGGERS = [
    (ESCALATIONS, "INSERT", _figures(_written(NOTHING, "SELECT * FROM new_rows"))),
    (ESCALATIONS, "DELETE", _figures(_written("SELECT * FROM old_rows", NOTHING))),
    (
        ESCALATIONS,
        "UPDATE",
        _figures(_written("SELECT * FROM old_rows", "SELECT * FROM new_rows")),
    ),
]
EMPTY_ESCALATIONS = "DELETE FROM dashboard_escalationtally; DELETE FROM dashboard_duetally;"


def _report_function(event: str, with_escalations: bool) -> str:
    rows = REPORT_ROWS[event]
    body = reports._report_figures(rows)
    if with_escalations:
        body += _figures(_of_reports(rows))
    return reports.function(f"dashboard_incidentreport_{event.lower()}", body, replace=True)


def rebuild_parts() -> tuple[str, str]:
    """The tallies dashboard_tallies_rebuild() locks, and its statements, from 0002 and here."""
    everything = "SELECT 1 AS sign, * FROM incidents_incidentreport"
    body = reports.rebuild_body()
    body += "DELETE FROM dashboard_escalationtally; DELETE FROM dashboard_duetally;"
    body += _figures(_of_reports(everything))
    return f"{reports.TALLIES}, dashboard_escalationtally, dashboard_duetally", body


def _rebuild(with_escalations: bool) -> str:
    if with_escalations:
        return reports.rebuild(*rebuild_parts())
    return reports.rebuild(reports.TALLIES, reports.rebuild_body())


def _install() -> list[str]:
    statements = [_report_function(event, True) for event in REPORT_ROWS]
    statements += reports.install(TRIGGERS, [(ESCALATIONS, EMPTY_ESCALATIONS)])
    statements.append(
        reports.function(
            "dashboard_incidentreport_truncate",
            reports.EMPTY_REPORTS + EMPTY_ESCALATIONS,
            replace=True,
        )
    )
    return [*statements, _rebuild(True), "SELECT dashboard_tallies_rebuild();"]


def _uninstall() -> list[str]:
    statements = [_report_function(event, False) for event in REPORT_ROWS]
    statements += reports.uninstall(TRIGGERS, [(ESCALATIONS, EMPTY_ESCALATIONS)])
    statements.append(
        reports.function("dashboard_incidentreport_truncate", reports.EMPTY_REPORTS, replace=True)
    )
    return [*statements, _rebuild(False)]


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0003_escalation_tallies")]

    operations = [migrations.RunSQL(_install(), _uninstall())]

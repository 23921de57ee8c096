"""The triggers that keep the dashboard's rollup (dashboard/models.py), and its first
computation from the reports. A migration of its own: the tallies' unique constraints,
which the triggers' upserts name, are made at the end of the one before."""

# The SQL below is assembled from this module's constants only: no value from outside.
# ruff: noqa: S608
from django.db import migrations

# The rollup is kept by PostgreSQL: statement triggers on the reports, their behaviours and
# their support follow-ups add what each statement changed (the rows it wrote, counted with
# +1, the rows as they were, with -1) to the tallies of their center and month, in the
# writing transaction (dashboard/models.py says why). The SQL is frozen here, as a
# migration's must be; dashboard_tallies_rebuild() computes the same tallies from scratch.

# What makes a report count: a record with its reference number (report_submit gives it
# last, so the tallies' rows are locked from its last statement to the commit).
RECORD = "status IN ('submitted', 'under_review', 'closed') AND reference IS NOT NULL"
RECORD_OF_REPORT = (
    "status IN ('submitted', 'under_review', 'closed') AND report.reference IS NOT NULL"
)
# The month of a submission in Tokyo (settings.TIME_ZONE), as dashboard.selectors.Period.
MONTH = "date_trunc('month', {moment} AT TIME ZONE 'Asia/Tokyo')::date"
# Hours from the submission to ``moment`` in tenths, rounded to the nearest (exact numeric).
TENTHS = "round(extract(epoch FROM {moment} - submitted_at) / 360)::integer"
# What a report's figures depend on: an update that changes none of it adds nothing.
COUNTED = (
    "status IN ('submitted', 'under_review', 'closed')",
    "reference IS NULL",
    "center_id",
    "submitted_at",
    "severity",
    "support_requested",
    "advice_requested",
    "triaged_at",
    "decided_at",
)
SEVERITIES = ("critical", "high", "medium", "low")


def _report_figures(rows: str) -> str:
    """The three tallies' changes for the records among ``rows`` (sign, then the report's
    columns), as three statements."""
    changed = (
        f"WITH changed AS (SELECT sign, id, center_id, {MONTH.format(moment='submitted_at')} "
        "AS month, severity, support_requested, advice_requested, submitted_at, triaged_at, "
        f"decided_at FROM ({rows}) AS report WHERE {RECORD})"
    )
    counts = ", ".join(
        [
            *(f"coalesce(sum(sign) FILTER (WHERE severity = '{s}'), 0)" for s in SEVERITIES),
            "coalesce(sum(sign) FILTER (WHERE support_requested), 0)",
            "coalesce(sum(sign) FILTER (WHERE support_requested AND EXISTS ("
            "SELECT FROM incidents_supportfollowup f WHERE f.report_id = changed.id)), 0)",
            "coalesce(sum(sign) FILTER (WHERE advice_requested), 0)",
            "coalesce(sum(sign) FILTER (WHERE triaged_at IS NOT NULL), 0)",
            "coalesce(sum(sign) FILTER (WHERE decided_at IS NOT NULL), 0)",
        ]
    )
    columns = (*SEVERITIES, "asked_support", "support_followed_up", "asked_advice")
    columns += ("triaged", "decided")
    added = ", ".join(f"{c} = tally.{c} + excluded.{c}" for c in ("reports", *columns))
    waits = " UNION ALL ".join(
        f"SELECT center_id, month, {wait} AS wait, {TENTHS.format(moment=moment)} AS tenths, "
        f"sign FROM changed WHERE {moment} IS NOT NULL"
        for wait, moment in ((1, "triaged_at"), (2, "decided_at"))
    )
    return f"""
    {changed}
    INSERT INTO dashboard_monthtally AS tally (center_id, month, reports, {", ".join(columns)})
    SELECT center_id, month, sum(sign), {counts} FROM changed
    GROUP BY center_id, month ORDER BY center_id, month
    ON CONFLICT (center_id, month) DO UPDATE SET {added};

    {changed}
    INSERT INTO dashboard_categorytally AS tally (center_id, month, category_id, reports)
    SELECT changed.center_id, changed.month, behaviour.category_id, sum(changed.sign)
    FROM changed JOIN incidents_reportcategory behaviour ON behaviour.report_id = changed.id
    GROUP BY 1, 2, 3 HAVING sum(changed.sign) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (center_id, month, category_id)
    DO UPDATE SET reports = tally.reports + excluded.reports;

    {changed}
    INSERT INTO dashboard_waittally AS tally (center_id, month, wait, tenths, reports)
    SELECT center_id, month, wait, tenths, sum(sign) FROM ({waits}) AS waits
    GROUP BY 1, 2, 3, 4 HAVING sum(sign) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (center_id, month, wait, tenths)
    DO UPDATE SET reports = tally.reports + excluded.reports;
    """


def _behaviours(rows: str) -> str:
    """The behaviours tally's change for the behaviours among ``rows`` (sign, report_id,
    category_id) of records."""
    month = MONTH.format(moment="report.submitted_at")
    return f"""
    INSERT INTO dashboard_categorytally AS tally (center_id, month, category_id, reports)
    SELECT report.center_id, {month}, behaviour.category_id, sum(behaviour.sign)
    FROM ({rows}) AS behaviour
    JOIN incidents_incidentreport report ON report.id = behaviour.report_id
    WHERE report.{RECORD_OF_REPORT}
    GROUP BY 1, 2, 3 HAVING sum(behaviour.sign) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (center_id, month, category_id)
    DO UPDATE SET reports = tally.reports + excluded.reports;
    """


def _followed_up(sign: str, reports: str, others: str) -> str:
    """``sign`` for each record among ``reports`` (report ids) that asked for support and has
    no follow-up but ``others``: its first follow-up came, or its last one went."""
    month = MONTH.format(moment="report.submitted_at")
    return f"""
    INSERT INTO dashboard_monthtally AS tally (center_id, month, support_followed_up)
    SELECT report.center_id, {month}, {sign} count(*) FROM incidents_incidentreport report
    WHERE report.id IN ({reports}) AND report.support_requested
      AND report.{RECORD_OF_REPORT}
      AND NOT EXISTS (SELECT FROM incidents_supportfollowup f
                      WHERE f.report_id = report.id AND f.id NOT IN ({others}))
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (center_id, month)
    DO UPDATE SET support_followed_up = tally.support_followed_up + excluded.support_followed_up;
    """


NONE = "SELECT NULL::bigint WHERE false"
# The updated reports whose figures changed (n: as written, o: as they were).
UPDATED = "({}) IS DISTINCT FROM ({})".format(
    ", ".join(f"n.{column}" for column in COUNTED), ", ".join(f"o.{column}" for column in COUNTED)
)
MOVED = (
    "SELECT {side}.{column} FROM new_rows n JOIN old_rows o USING (id) "
    "WHERE n.report_id <> o.report_id"
)
# (table, event, the rows of reports a statement changed: sign, then the report's columns)
REPORT_ROWS = [
    ("incidents_incidentreport", "INSERT", "SELECT 1 AS sign, * FROM new_rows"),
    ("incidents_incidentreport", "DELETE", "SELECT -1 AS sign, * FROM old_rows"),
    (
        "incidents_incidentreport",
        "UPDATE",
        f"SELECT 1 AS sign, n.* FROM new_rows n JOIN old_rows o USING (id) WHERE {UPDATED} "
        f"UNION ALL SELECT -1, o.* FROM new_rows n JOIN old_rows o USING (id) WHERE {UPDATED}",
    ),
]
# (table, event, the function's statements)
TRIGGERS = [
    *((table, event, _report_figures(rows)) for table, event, rows in REPORT_ROWS),
    (
        "incidents_reportcategory",
        "INSERT",
        _behaviours("SELECT 1 AS sign, report_id, category_id FROM new_rows"),
    ),
    (
        "incidents_reportcategory",
        "DELETE",
        _behaviours("SELECT -1 AS sign, report_id, category_id FROM old_rows"),
    ),
    (
        "incidents_reportcategory",
        "UPDATE",
        _behaviours(
            "SELECT 1 AS sign, report_id, category_id FROM new_rows "
            "UNION ALL SELECT -1, report_id, category_id FROM old_rows"
        ),
    ),
    (
        "incidents_supportfollowup",
        "INSERT",
        _followed_up("", "SELECT report_id FROM new_rows", "SELECT id FROM new_rows"),
    ),
    (
        "incidents_supportfollowup",
        "DELETE",
        _followed_up("-", "SELECT report_id FROM old_rows", NONE),
    ),
    (
        # A follow-up moved to another report (never done, but not forgotten if it is).
        "incidents_supportfollowup",
        "UPDATE",
        _followed_up("-", MOVED.format(side="o", column="report_id"), NONE)
        + _followed_up(
            "",
            MOVED.format(side="n", column="report_id"),
            MOVED.format(side="n", column="id"),
        ),
    ),
]


# A table emptied at once (TRUNCATE fires no row's trigger) empties what was counted of it.
EMPTY_REPORTS = (
    "DELETE FROM dashboard_monthtally; DELETE FROM dashboard_categorytally; "
    "DELETE FROM dashboard_waittally;"
)
EMPTIED = [
    ("incidents_incidentreport", EMPTY_REPORTS),
    ("incidents_reportcategory", "DELETE FROM dashboard_categorytally;"),
    (
        "incidents_supportfollowup",
        "UPDATE dashboard_monthtally SET support_followed_up = 0 WHERE support_followed_up <> 0;",
    ),
]
TALLIES = "dashboard_monthtally, dashboard_categorytally, dashboard_waittally"


def rebuild_body() -> str:
    """The tallies from scratch: every record counted as if inserted now."""
    return f"""DELETE FROM dashboard_monthtally;
    DELETE FROM dashboard_categorytally;
    DELETE FROM dashboard_waittally;
    {_report_figures("SELECT 1 AS sign, * FROM incidents_incidentreport")}"""


def rebuild(tallies: str, body: str) -> str:
    """dashboard_tallies_rebuild(). The tables are locked first (a writer's trigger waits,
    and a writer already counted has committed), so that what is read next is every
    committed write and nothing is counted twice."""
    return f"""
CREATE OR REPLACE FUNCTION dashboard_tallies_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE {tallies} IN EXCLUSIVE MODE;
    {body}
END $$;
"""


def function(name: str, statements: str, *, replace: bool = False) -> str:
    create = "CREATE OR REPLACE FUNCTION" if replace else "CREATE FUNCTION"
    return (
        f"{create} {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{statements}\nRETURN NULL;\nEND $$;"
    )


def _name(table: str, event: str) -> str:
    return f"dashboard_{table.removeprefix('incidents_')}_{event.lower()}"


def install(triggers: list, emptied: list) -> list[str]:
    """Each trigger's function and the trigger, for each statement (table, event, body) and
    each table emptied (table, body)."""
    statements = []
    for table, event, body in triggers:
        transitions = {
            "INSERT": "NEW TABLE AS new_rows",
            "DELETE": "OLD TABLE AS old_rows",
            "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        }[event]
        statements += [
            function(_name(table, event), body),
            f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} "
            f"REFERENCING {transitions} FOR EACH STATEMENT EXECUTE FUNCTION "
            f"{_name(table, event)}();",
        ]
    for table, body in emptied:
        statements += [
            function(_name(table, "truncate"), body),
            f"CREATE TRIGGER {_name(table, 'truncate')} AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {_name(table, 'truncate')}();",
        ]
    return statements


def uninstall(triggers: list, emptied: list) -> list[str]:
    statements = []
    for table, event in [(table, event) for table, event, _body in triggers] + [
        (table, "TRUNCATE") for table, _body in emptied
    ]:
        statements += [
            f"DROP TRIGGER {_name(table, event)} ON {table};",
            f"DROP FUNCTION {_name(table, event)}();",
        ]
    return statements


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0001_rollup"), ("incidents", "0024_notification_list")]

    operations = [
        migrations.RunSQL(
            [
                *install(TRIGGERS, EMPTIED),
                rebuild(TALLIES, rebuild_body()),
                "SELECT dashboard_tallies_rebuild();",
            ],
            ["DROP FUNCTION dashboard_tallies_rebuild();", *uninstall(TRIGGERS, EMPTIED)],
        )
    ]

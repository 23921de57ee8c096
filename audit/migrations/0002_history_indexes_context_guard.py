"""What the audit view needs of tables it does not own.

Indexes: the view pages backwards through each history table by (pgh_created_at, pgh_id)
(audit/trail.py); pghistory creates its event tables without an index on the time. They are
made here rather than on the event models so that the apps that own those tables need no
migration of their own for the audit view.

The context guard: pghistory keeps who made a change (the signed-in user, the URL) in a row of
pghistory_context that every event of the request points to. The event tables are
append-only (PGHISTORY_APPEND_ONLY); without this, "who" could still be rewritten or removed
behind them. pghistory itself updates a context row while the request runs (it upserts the
metadata as it learns more), so an update is refused only when it changes a user already
recorded."""

from django.db import migrations

# The history tables the audit view reads, with the app migration that creates each.
HISTORY_TABLES = {
    "incidents_incidentreportevent": ("incidents", "0001_initial"),
    "incidents_casefileevent": ("incidents", "0001_initial"),
    "incidents_candidateevent": ("incidents", "0001_initial"),
    "incidents_decisionevent": ("incidents", "0002_review_decisions_logs"),
    "policy_policyversionevent": ("policy", "0001_initial"),
    "accounts_membershipevent": ("accounts", "0001_initial"),
}

CREATE_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS {table}_audit_at ON {table} (pgh_created_at, pgh_id)"
    for table in HISTORY_TABLES
]
DROP_INDEXES = [f"DROP INDEX IF EXISTS {table}_audit_at" for table in HISTORY_TABLES]

GUARD_CONTEXT = """
CREATE OR REPLACE FUNCTION audit_context_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'pghistory_context is append-only: who made a change is never removed';
    END IF;
    IF OLD.metadata ? 'user' AND OLD.metadata -> 'user' <> 'null'::jsonb
       AND (NEW.metadata -> 'user') IS DISTINCT FROM (OLD.metadata -> 'user') THEN
        RAISE EXCEPTION 'pghistory_context is append-only: who made a change is never rewritten';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_context_guard ON pghistory_context;
CREATE TRIGGER audit_context_guard BEFORE UPDATE OR DELETE ON pghistory_context
    FOR EACH ROW EXECUTE FUNCTION audit_context_guard();
"""
UNGUARD_CONTEXT = """
DROP TRIGGER IF EXISTS audit_context_guard ON pghistory_context;
DROP FUNCTION IF EXISTS audit_context_guard();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_disclosure_log"),
        ("pghistory", "0007_auto_20250421_0444"),
        *sorted(set(HISTORY_TABLES.values())),
    ]

    operations = [
        migrations.RunSQL(CREATE_INDEXES, DROP_INDEXES),
        migrations.RunSQL(GUARD_CONTEXT, UNGUARD_CONTEXT),
    ]

"""A second guard on the tables that nothing in the portal ever has a reason to change.

Their pgtrigger guard (append_only) can be lifted for one transaction by
``pgtrigger.ignore``, which any SQL session may ask for (``SET pgtrigger.ignore``): the
retention period uses it on the history of reports and candidates, to blank a candidate's
name and contact there too (incidents/services/retention.py). The access logs, the
disclosure log, the retention log, who made a change (pghistory_context, guarded by 0002) and
the history of case files, policy versions and roles are never scrubbed, so this trigger knows
no way round: UPDATE and DELETE fail whatever the session says. What it cannot stop is a
table's owner or a superuser altering the table itself (README: the portal's role in
production)."""

from django.db import migrations

TABLES = {
    "incidents_casefileaccess": ("incidents", "0002_review_decisions_logs"),
    "incidents_checkinlookup": ("incidents", "0002_review_decisions_logs"),
    "incidents_retentionaction": ("incidents", "0015_retention_legal_hold"),
    "audit_disclosurelog": ("audit", "0001_disclosure_log"),
    "incidents_casefileevent": ("incidents", "0001_initial"),
    "policy_policyversionevent": ("policy", "0001_initial"),
    "accounts_membershipevent": ("accounts", "0001_initial"),
}

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""

GUARD = [FUNCTION] + [
    f"DROP TRIGGER IF EXISTS audit_refuse_change ON {table}; "
    f"CREATE TRIGGER audit_refuse_change BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();"
    for table in TABLES
]
UNGUARD = [f"DROP TRIGGER IF EXISTS audit_refuse_change ON {table};" for table in TABLES] + [
    "DROP FUNCTION IF EXISTS audit_refuse_change();"
]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_history_indexes_context_guard"),
        *sorted(set(TABLES.values())),
    ]

    operations = [migrations.RunSQL(GUARD, UNGUARD)]

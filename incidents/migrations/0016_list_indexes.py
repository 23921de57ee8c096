# Schema changes for the review queue, the search and the case-file list (issue 12): the
# severity's rank stored, the queue's indexes, and the case file's summary of its records
# (kept by the services from now on, computed here once for the files that exist).
import django.contrib.postgres.fields
import django.db.models.functions.datetime
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

# Each case file's records summed up once. It runs after the history trigger is made again
# without these derived columns, so it records nothing. A file without records takes its
# last change as its "last report" time.
SUMMARISE_CASE_FILES = [
    """
    UPDATE incidents_casefile AS file
    SET report_count = summary.reports, last_report_at = summary.last_at, center_ids = summary.centers
    FROM (
        SELECT candidate_id, count(*) AS reports, max(submitted_at) AS last_at,
               array_agg(DISTINCT center_id ORDER BY center_id) AS centers
        FROM incidents_incidentreport
        WHERE status IN ('submitted', 'under_review', 'closed') AND candidate_id IS NOT NULL
        GROUP BY candidate_id
    ) AS summary
    WHERE summary.candidate_id = file.candidate_id
    """,
    "UPDATE incidents_casefile SET last_report_at = updated_at WHERE report_count = 0",
]


class Migration(migrations.Migration):
    dependencies = [("incidents", "0015_retention_legal_hold")]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="casefile",
            name="update_update",
        ),
        migrations.AddField(
            model_name="casefile",
            name="center_ids",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(),
                blank=True,
                db_default=models.Value(
                    [],
                    output_field=django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(), size=None
                    ),
                ),
                editable=False,
                size=None,
                verbose_name="centers",
            ),
        ),
        migrations.AddField(
            model_name="casefile",
            name="last_report_at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(),
                editable=False,
                verbose_name="last report",
            ),
        ),
        migrations.AddField(
            model_name="casefile",
            name="report_count",
            field=models.PositiveIntegerField(db_default=0, editable=False, verbose_name="reports"),
        ),
        migrations.AddField(
            model_name="incidentreport",
            name="severity_rank",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(
                    models.When(severity="critical", then=models.Value(0)),
                    models.When(severity="high", then=models.Value(1)),
                    models.When(severity="medium", then=models.Value(2)),
                    models.When(severity="low", then=models.Value(3)),
                    default=models.Value(4),
                ),
                output_field=models.SmallIntegerField(),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="casefile",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."candidate_id" IS DISTINCT FROM (NEW."candidate_id") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."legal_hold" IS DISTINCT FROM (NEW."legal_hold") OR OLD."legal_hold_at" IS DISTINCT FROM (NEW."legal_hold_at") OR OLD."legal_hold_by_id" IS DISTINCT FROM (NEW."legal_hold_by_id") OR OLD."legal_hold_reason" IS DISTINCT FROM (NEW."legal_hold_reason") OR OLD."revision" IS DISTINCT FROM (NEW."revision") OR OLD."risk_level" IS DISTINCT FROM (NEW."risk_level") OR OLD."status" IS DISTINCT FROM (NEW."status") OR OLD."updated_at" IS DISTINCT FROM (NEW."updated_at"))',
                    func='INSERT INTO "incidents_casefileevent" ("candidate_id", "id", "legal_hold", "legal_hold_at", "legal_hold_by_id", "legal_hold_reason", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "revision", "risk_level", "status", "updated_at") VALUES (NEW."candidate_id", NEW."id", NEW."legal_hold", NEW."legal_hold_at", NEW."legal_hold_by_id", NEW."legal_hold_reason", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."revision", NEW."risk_level", NEW."status", NEW."updated_at"); RETURN NULL;',
                    hash="2e15c201d32099544460fe2a1fca40844f3a1b52",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_a5434",
                    table="incidents_casefile",
                    when="AFTER",
                ),
            ),
        ),
        # Summed up before the index on it is built, so the index holds no dead row versions.
        migrations.RunSQL(SUMMARISE_CASE_FILES, reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="casefile",
            index=models.Index(fields=["-last_report_at", "-id"], name="case_file_recent"),
        ),
        migrations.AddIndex(
            model_name="incidentreport",
            index=models.Index(fields=["status", "center"], name="report_status_center"),
        ),
        migrations.AddIndex(
            model_name="incidentreport",
            index=models.Index(
                condition=models.Q(("status__in", ["submitted", "under_review"])),
                fields=["severity_rank", "submitted_at", "id"],
                name="report_open_severity",
            ),
        ),
        migrations.AddIndex(
            model_name="incidentreport",
            index=models.Index(
                condition=models.Q(("status__in", ["submitted", "under_review"])),
                fields=["submitted_at", "id"],
                name="report_open_time",
            ),
        ),
        migrations.AddIndex(
            model_name="incidentreport",
            index=models.Index(
                condition=models.Q(("status__in", ["submitted", "under_review"])),
                fields=["center", "severity_rank", "submitted_at", "id"],
                name="report_center_open_severity",
            ),
        ),
        migrations.AddIndex(
            model_name="incidentreport",
            index=models.Index(
                condition=models.Q(("status__in", ["submitted", "under_review"])),
                fields=["center", "submitted_at", "id"],
                name="report_center_open_time",
            ),
        ),
        migrations.AddIndex(
            model_name="incidentreport",
            index=models.Index(
                condition=models.Q(("status__in", ["submitted", "under_review", "closed"])),
                fields=["severity_rank", "submitted_at", "id"],
                name="report_record_severity",
            ),
        ),
        migrations.AddIndex(
            model_name="incidentreport",
            index=models.Index(
                condition=models.Q(("status__in", ["submitted", "under_review", "closed"])),
                fields=["submitted_at", "id"],
                name="report_record_time",
            ),
        ),
        migrations.AddIndex(
            model_name="incidentreport",
            index=models.Index(
                condition=models.Q(("status__in", ["submitted", "under_review", "closed"])),
                fields=["center", "severity_rank", "submitted_at", "id"],
                name="report_center_record_severity",
            ),
        ),
        migrations.AddIndex(
            model_name="incidentreport",
            index=models.Index(
                condition=models.Q(("status__in", ["submitted", "under_review", "closed"])),
                fields=["center", "submitted_at", "id"],
                name="report_center_record_time",
            ),
        ),
    ]

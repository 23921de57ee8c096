# The dashboard's moments on the report (triaged_at, decided_at) and its covering index
# report_dashboard: dashboard.selectors reads the figures of a period from that one index
# instead of searching the timeline and the decisions for every report of the period.
from django.db import migrations, models

# The moments as dashboard.selectors computed them before they were stored: a report's first
# "review started" event, and the first decision on its candidate's case file proposed at or
# after its submission. Each record is written once, and only if it has either moment.
BACKFILL = """
WITH triage AS (
    SELECT report_id AS id, min(created_at) AS moment
    FROM incidents_timelineevent
    WHERE kind = 'report_under_review' AND report_id IS NOT NULL
    GROUP BY report_id
), decision AS (
    SELECT report.id, min(decision.proposed_at) AS moment
    FROM incidents_incidentreport report
    JOIN incidents_casefile case_file ON case_file.candidate_id = report.candidate_id
    JOIN incidents_decision decision
        ON decision.case_file_id = case_file.id AND decision.proposed_at >= report.submitted_at
    WHERE report.status IN ('submitted', 'under_review', 'closed')
    GROUP BY report.id
)
UPDATE incidents_incidentreport report
SET triaged_at = moments.triaged_at, decided_at = moments.decided_at
FROM (
    SELECT coalesce(triage.id, decision.id) AS id,
        triage.moment AS triaged_at,
        decision.moment AS decided_at
    FROM triage FULL JOIN decision ON decision.id = triage.id
) moments
WHERE moments.id = report.id
"""


class Migration(migrations.Migration):
    dependencies = [("incidents", "0020_inbox_speed")]

    operations = [
        migrations.AddField(
            model_name="incidentreport",
            name="triaged_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="review started at"),
        ),
        migrations.AddField(
            model_name="incidentreport",
            name="decided_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="first decided at"),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop, elidable=True),
        migrations.AddIndex(
            model_name="incidentreport",
            index=models.Index(
                condition=models.Q(("status__in", ["submitted", "under_review", "closed"])),
                fields=["center", "submitted_at"],
                include=(
                    "id",
                    "severity",
                    "support_requested",
                    "advice_requested",
                    "candidate",
                    "triaged_at",
                    "decided_at",
                ),
                name="report_dashboard",
            ),
        ),
    ]

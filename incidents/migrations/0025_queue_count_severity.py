# The review queue's capped tab counts under a severity filter, read from an index that
# holds the severity (included, not a key; issue 12): see IncidentReport.Meta. It replaces the
# two-column index it extends (the same keys serve every count that one served). Built and
# dropped without blocking writes (CONCURRENTLY cannot run in a transaction).
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("incidents", "0024_notification_list")]

    operations = [
        AddIndexConcurrently(
            model_name="incidentreport",
            index=models.Index(
                fields=["status", "center"],
                include=["severity_rank"],
                name="report_status_center_severity",
            ),
        ),
        RemoveIndexConcurrently(model_name="incidentreport", name="report_status_center"),
    ]

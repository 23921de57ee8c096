# The bell's and the inbox's counts probe each unsettled notification's escalation for its
# incident: an index that holds the incident answers from the index alone (issue 12), see
# Escalation.Meta. Built without blocking writes (CONCURRENTLY cannot run in a transaction).
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("incidents", "0025_queue_count_severity")]

    operations = [
        AddIndexConcurrently(
            model_name="escalation",
            index=models.Index(fields=["id"], include=["report"], name="escalation_report_by_id"),
        ),
    ]

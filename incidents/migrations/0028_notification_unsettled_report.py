# The bell's and the inbox's counts read each unsettled notification's incident from the
# index of her unsettled notifications (issue 12): the index that held each escalation's
# incident for a probe (0026) has no reader left. Built and dropped without blocking writes
# (CONCURRENTLY cannot run in a transaction); the new index is built before the old goes.
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("incidents", "0027_notification_report")]

    operations = [
        AddIndexConcurrently(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("read_at__isnull", True), ("recipient__isnull", False)),
                fields=["recipient", "escalation"],
                include=("report",),
                name="notification_unsettled_report",
            ),
        ),
        RemoveIndexConcurrently(model_name="notification", name="notification_unsettled"),
        RemoveIndexConcurrently(model_name="escalation", name="escalation_report_by_id"),
    ]

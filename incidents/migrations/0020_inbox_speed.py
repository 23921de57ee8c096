# Indexes for the escalations inbox, the escalations API and the home pages' support count
# (issue 12): each list walks an index in its order and stops after its page, each count stops
# at its limit, instead of reading every open escalation, every escalation ever raised or
# every support request of ten years. Built without blocking writes (CREATE INDEX
# CONCURRENTLY cannot run in a transaction).
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("incidents", "0019_latin_trigram_tokens")]

    operations = [
        # The sweep's index, widened to the inbox's order (deadline, then age).
        RemoveIndexConcurrently(model_name="escalation", name="escalation_open_deadline"),
        AddIndexConcurrently(
            model_name="escalation",
            index=models.Index(
                condition=models.Q(acknowledged_at__isnull=True),
                fields=["ack_deadline", "created_at", "id"],
                name="escalation_open_deadline",
            ),
        ),
        AddIndexConcurrently(
            model_name="escalation",
            index=models.Index(fields=["-created_at", "-id"], name="escalation_recent"),
        ),
        AddIndexConcurrently(
            model_name="incidentreport",
            index=models.Index(
                condition=models.Q(
                    support_requested=True, status__in=["submitted", "under_review", "closed"]
                ),
                fields=["center", "submitted_at", "id"],
                name="report_support_requests",
            ),
        ),
    ]

# Schema changes for the navbar bell, the escalations inbox and home pages (issue 12): the
# notifications of escalations already acknowledged are settled (until now only the
# acknowledger's own portal notification was), then partial indexes hold what is unsettled
# and what is open, which stays small however many years of escalations there are.
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models, transaction

# Escalation ids per batch: about three notifications each, so each UPDATE (and the history
# rows its trigger writes) touches some tens of thousands of rows and commits on its own,
# instead of holding two million row locks in one transaction on a live database.
BATCH = 20_000

SETTLE_BATCH = """
    UPDATE incidents_notification AS notification
    SET read_at = escalation.acknowledged_at
    FROM incidents_escalation AS escalation
    WHERE notification.escalation_id = escalation.id
      AND escalation.id > %s AND escalation.id <= %s
      AND escalation.acknowledged_at IS NOT NULL
      AND notification.read_at IS NULL
"""


def settle_acknowledged(apps, schema_editor):
    """Every notification of an acknowledged escalation settled, at its acknowledgement."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM incidents_escalation")
        (last,) = cursor.fetchone()
    for start in range(0, last, BATCH):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(SETTLE_BATCH, [start, start + BATCH])


class Migration(migrations.Migration):
    # Batches commit one by one and the indexes are built without blocking writes (CREATE
    # INDEX CONCURRENTLY cannot run in a transaction). Rerunning after a failure is safe:
    # a settled notification is not selected again.
    atomic = False

    dependencies = [("incidents", "0016_list_indexes")]

    operations = [
        migrations.RunPython(settle_acknowledged, migrations.RunPython.noop, elidable=True),
        RemoveIndexConcurrently(model_name="notification", name="notification_unread"),
        AddIndexConcurrently(
            model_name="escalation",
            index=models.Index(
                condition=models.Q(acknowledged_at__isnull=True),
                fields=["report", "ack_deadline"],
                name="escalation_open_by_report",
            ),
        ),
        AddIndexConcurrently(
            model_name="notification",
            index=models.Index(
                condition=models.Q(read_at__isnull=True, recipient__isnull=False),
                fields=["recipient", "escalation"],
                name="notification_unsettled",
            ),
        ),
    ]

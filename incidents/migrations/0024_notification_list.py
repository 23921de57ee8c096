# The API's list of a person's portal notifications, newest first, read from an index (issue
# 12): see Notification.Meta. Built without blocking writes (CREATE INDEX CONCURRENTLY cannot
# run in a transaction).
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("incidents", "0023_queue_filters")]

    operations = [
        AddIndexConcurrently(
            model_name="notification",
            index=models.Index(
                condition=models.Q(channel="portal"),
                fields=["recipient", "-created_at", "-id"],
                name="notification_portal_recent",
            ),
        ),
    ]

# Schema changes for report submission (issue 12); filled in as the work lands.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("incidents", "0017_notification_indexes")]

    operations = []

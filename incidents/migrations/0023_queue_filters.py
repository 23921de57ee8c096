# The API's report list, newest first, read from an index (issue 12): see IncidentReport.Meta.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("incidents", "0022_submit_speed")]

    operations = [
        migrations.AddIndex(
            model_name="incidentreport",
            index=models.Index(fields=["-created_at", "-id"], name="report_recent"),
        ),
    ]

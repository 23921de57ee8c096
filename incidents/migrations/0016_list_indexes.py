# Schema changes for the review queue, the search and the case-file list (issue 12); filled in as the work lands.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("incidents", "0015_retention_legal_hold")]

    operations = []

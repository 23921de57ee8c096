# Schema changes for the navbar bell, the escalations inbox and home pages (issue 12); filled in as the work lands.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("incidents", "0016_list_indexes")]

    operations = []

# Reserved for issue 12's work in progress; filled in as it lands.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("incidents", "0020_inbox_speed")]

    operations = []

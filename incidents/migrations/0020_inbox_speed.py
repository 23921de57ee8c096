# Reserved for issue 12's work in progress; filled in as it lands.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("incidents", "0019_latin_trigram_tokens")]

    operations = []

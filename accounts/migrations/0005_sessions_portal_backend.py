"""Sessions signed in through Django's ModelBackend name accounts.backends.PortalBackend from
here on: Django signs out a session whose backend is no longer in AUTHENTICATION_BACKENDS, so
without this every person signed in when it is deployed would be signed out, perhaps with a
report half written. Each session is read and written as Django's session store does
(its data is signed with SECRET_KEY); expired ones are left to clearsessions."""

from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations
from django.utils import timezone

BACKEND_KEY = "_auth_user_backend"  # django.contrib.auth.BACKEND_SESSION_KEY
DJANGO = "django.contrib.auth.backends.ModelBackend"
PORTAL = "accounts.backends.PortalBackend"


def _rename_backend(apps, old: str, new: str) -> None:
    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    changed = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(2000):
        data = store.decode(session.session_data)
        if data.get(BACKEND_KEY) == old:
            data[BACKEND_KEY] = new
            session.session_data = store.encode(data)
            changed.append(session)
    Session.objects.bulk_update(changed, ["session_data"], batch_size=2000)


def to_portal_backend(apps, schema_editor):
    _rename_backend(apps, DJANGO, PORTAL)


def to_django_backend(apps, schema_editor):
    _rename_backend(apps, PORTAL, DJANGO)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_language_chosen"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(to_portal_backend, to_django_backend, elidable=True)]

"""The signed-in user of each request (accounts/backends.py): read afresh on every request,
refused once inactive or once her password changed, and sessions from before the backend
(Django's ModelBackend) kept signed in by migration accounts 0005."""

import importlib

from django.apps import apps
from django.test import Client

from accounts.models import User

rename = importlib.import_module("accounts.migrations.0005_sessions_portal_backend")


def test_each_request_reads_her_account_as_it_is_now(signed_in, staff_tokyo):
    first = signed_in.get("/incidents/mine/")
    assert first.status_code == 200
    assert first.wsgi_request.user == staff_tokyo
    User.objects.filter(pk=staff_tokyo.pk).update(first_name="Renamed", email="new@example.com")
    user = signed_in.get("/incidents/mine/").wsgi_request.user
    assert (user.pk, user.first_name, user.email) == (staff_tokyo.pk, "Renamed", "new@example.com")
    assert user.get_username() == staff_tokyo.username


def test_a_deactivated_account_is_signed_out_at_its_next_request(signed_in, staff_tokyo):
    User.objects.filter(pk=staff_tokyo.pk).update(is_active=False)
    response = signed_in.get("/incidents/mine/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_password_changed_elsewhere_signs_this_session_out(signed_in, staff_tokyo):
    staff_tokyo.set_password("an entirely new passphrase 42")
    staff_tokyo.save(update_fields=["password"])
    response = signed_in.get("/incidents/mine/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_session_signed_in_through_djangos_backend_stays_signed_in(staff_tokyo):
    """Deploying the backend signs no one out: the migration renames it in live sessions."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff_tokyo, backend=rename.DJANGO)
    # Unknown to the settings now, Django's path signs the session out…
    assert client.get("/incidents/mine/").status_code == 302
    client.force_login(staff_tokyo, backend=rename.DJANGO)
    rename.to_portal_backend(apps, None)
    # …and once renamed the same session is hers again, as it was.
    response = client.get("/incidents/mine/")
    assert response.status_code == 200
    assert response.wsgi_request.user == staff_tokyo
    # The way back names Django's backend again.
    rename.to_django_backend(apps, None)
    assert client.session["_auth_user_backend"] == rename.DJANGO

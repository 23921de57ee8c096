"""Shared fixtures. People are named by their access, as in the demo data:
``staff_tokyo`` files reports in Tokyo, ``supervisor_osaka`` supervises Osaka, ``manager`` and
``legal`` see every center, ``admin`` runs the portal, ``outsider`` has no role at all."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from accounts.models import User

DEMO_PASSWORD = "demo-password-for-tests"


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the portal's default language, whatever a request before it
    activated in this thread."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def demo(db) -> dict[str, User]:
    """The demo data of DESIGN.md §6, through the real command, plus an outsider."""
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=open(os.devnull, "w"))  # noqa: SIM115
    users = {user.username: user for user in User.objects.all()}
    users["outsider"] = User.objects.create_user(
        "outsider", staff_code="EXT-0001", password=DEMO_PASSWORD, email="outsider@example.com"
    )
    return users


def _person(username: str):
    @pytest.fixture
    def person(demo) -> User:
        return demo[username]

    return person


staff_tokyo = _person("staff.tokyo")
staff_osaka = _person("staff.osaka")
supervisor_tokyo = _person("supervisor.tokyo")
supervisor_osaka = _person("supervisor.osaka")
manager = _person("manager")
legal = _person("legal")
admin = _person("admin")
outsider = _person("outsider")

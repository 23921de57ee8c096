"""Small helpers the tests share."""

from __future__ import annotations

import os

from django.test import Client

from accounts.models import User


def client_for(user: User | None, *, language: str = "ja") -> Client:
    """A test client signed in as ``user`` (anonymous for None), reading in ``language``."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = language
    return client


# Variables a child process (manage.py, a Celery worker) must not inherit from the test run.
_TEST_ONLY_VARIABLES = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}


def child_env(**overrides: str) -> dict[str, str]:
    """The environment for a child process: this one's, less test-only variables, plus
    ``overrides``."""
    env = {k: v for k, v in os.environ.items() if k not in _TEST_ONLY_VARIABLES}
    return {**env, **overrides}

"""Small helpers the tests share."""

from __future__ import annotations

from django.test import Client

from accounts.models import User


def client_for(user: User | None, *, language: str = "ja") -> Client:
    """A test client signed in as ``user`` (anonymous for None), reading in ``language``."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = language
    return client

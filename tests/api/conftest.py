"""The API's tests: people call it with a personal token of their own, made through the real
service, as another system would."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from accounts.models import User
from api.services import token_create

# The check-in page's fixtures, for the same lookups through the API (test_checkin_api.py).
from tests.incidents.test_checkin import (  # noqa: F401
    clock,
    limits,
    refusal,
    refuse_testing,
    tokyo_candidate,
)


def token_key(user: User, *, days: int = 30, name: str = "test system") -> str:
    """A fresh token of ``user``'s; its key, as shown to her once."""
    return token_create(user=user, name=name, expires_at=timezone.now() + timedelta(days=days)).key


def api_client(user: User | None = None, *, key: str | None = None, language: str = "en"):
    """A client that sends ``user``'s token (a new one unless ``key``) and reads ``language``."""
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    if user is not None or key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key or token_key(user)}"
    return Client(**headers)

"""The API's tests: people call it with a personal token of their own, made through the real
service, as another system would."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from api.log_redaction import RedactTokens
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


@pytest.fixture
def log_output():
    """What the portal's console handler (settings LOGGING) writes, as text."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactTokens) for f in handler.filters)
    ]
    assert handlers, "no log handler redacts tokens"
    stream = io.StringIO()
    previous = [handler.setStream(stream) for handler in handlers]
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.setLevel(level)
        for handler, old in zip(handlers, previous, strict=True):
            handler.setStream(old)

"""Schemathesis against the live schema (/api/schema/, served by the portal's WSGI app): a
bounded number of generated requests per operation, as a supervisor's token (she files
reports, reviews her center and is told of escalations). No answer may be a server error,
and every answer must match the schema: its status, content type and body.

One test walks every operation (schemathesis's pytest plugin cannot load a schema from a
database fixture under this pytest), so a failure names the operation and the request."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import token_key

# Examples per operation: the whole run stays well under 90 s on one core.
EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_token(supervisor_tokyo, settings) -> str:
    # The generated requests would run into the per-token limit; its own tests are elsewhere.
    settings.API_REQUESTS_PER_TOKEN = settings.API_REQUESTS_PER_USER = 100_000
    return token_key(supervisor_tokyo)


@pytest.fixture
def wsgi_in_this_transaction(db):
    """Django's WSGI handler in this thread and this test's transaction: like Django's test
    client, it must not close the connection at the end of each request (that would end the
    transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_answers_within_its_schema(wsgi_in_this_transaction, api_token):
    headers = {"Authorization": f"Bearer {api_token}"}
    live_schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", wsgi_in_this_transaction, headers=headers
    )
    operations = [result.ok() for result in live_schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def answers_within_its_schema(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        answers_within_its_schema()

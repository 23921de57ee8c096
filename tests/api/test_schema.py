"""The OpenAPI schema: drf-spectacular generates it without a warning and it validates against
the OpenAPI specification; it is served at /api/schema/ and shown at /api/docs/."""

from __future__ import annotations

import re

from django.core.management import call_command
from django.test import Client
from django.utils.translation import get_language
from drf_spectacular.generators import SchemaGenerator

from api.views.docs import SchemaView
from tests.api.conftest import api_client
from tests.helpers import client_for


def test_the_schema_validates_without_a_warning(tmp_path):
    # --fail-on-warn: an endpoint drf-spectacular cannot describe fails here.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    assert "/api/v1/candidates/{candidate_id}/status" in (tmp_path / "s.yaml").read_text()


def test_every_operation_has_its_id_and_summary(staff_tokyo):
    """Each endpoint's description reaches the schema (a decorator once landed on a helper
    method between it and its view, and POST /reports lost its own)."""
    schema = api_client(staff_tokyo).get("/api/schema/?format=json").json()
    operations = [
        operation
        for path in schema["paths"].values()
        for method, operation in path.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert operations
    assert all(operation.get("summary") for operation in operations), [
        operation["operationId"] for operation in operations if not operation.get("summary")
    ]
    assert "reports_create" in {operation["operationId"] for operation in operations}


def test_the_live_schema_is_served_to_a_token_not_to_a_stranger(staff_tokyo):
    schema = api_client(staff_tokyo).get("/api/schema/?format=json").json()
    assert schema["info"]["title"] == "Harassment Portal API"
    assert "personalToken" in schema["components"]["securitySchemes"]
    assert Client().get("/api/schema/").status_code == 401


def test_the_docs_page_loads_swagger_ui_from_our_static_files_without_inline_script(staff_tokyo):
    browser = client_for(staff_tokyo)
    page = browser.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all(
        'src="' in attributes and not body.strip() for attributes, body in scripts
    )
    assert "<style" not in html and " style=" not in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert not [source for source in sources if source.startswith(("http:", "https:", "//"))]
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # Every file the page loads is there: Swagger UI's files and the start-up script.
    for source in sources:
        assert browser.get(source).status_code == 200, source
    start = [s for s in sources if "script=" in s][0]
    assert browser.get(start)["Content-Type"].startswith("application/javascript")


def test_the_docs_page_is_a_signed_in_page(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_schema_is_generated_once_per_language(staff_tokyo, monkeypatch):
    """Generating it takes seconds under load: each process makes it once per language and
    serves the same schema after that."""
    monkeypatch.setattr(SchemaView, "_generated", {})
    generated = []
    generate = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        generated.append(get_language())
        return generate(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    english = api_client(staff_tokyo, language="en")
    first = english.get("/api/schema/?format=json").json()
    assert english.get("/api/schema/?format=json").json() == first
    japanese = api_client(staff_tokyo, language="ja").get("/api/schema/?format=json")
    assert japanese.status_code == 200
    assert generated == ["en", "ja"]

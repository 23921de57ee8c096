"""What the OpenAPI schema says beyond the views: the token scheme, and the problem-details
responses (api/errors.py) that every operation may answer with."""

from __future__ import annotations

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension

PROBLEM = "Problem"
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details, in the language of Accept-Language.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "code": {"type": "string"},
                    "detail": {"type": "string"},
                },
                "required": ["field", "code", "detail"],
            },
        },
    },
    "required": ["type", "title", "status", "detail", "code"],
}
# Every operation: 401 (no or a refused token), 404 (nothing there, or not hers: the same),
# 429 (throttled); writes and operations with parameters also 400, writes 409.
ALWAYS = ("401", "404", "429")
WITH_INPUT = ("400",)
WRITES = ("409",)
DESCRIPTIONS = {
    "400": "The request is not valid: `errors` lists the fields.",
    "401": "No token or session, or the token is revoked, expired or unknown.",
    "404": "Nothing there, or nothing this user may see (the same answer).",
    "409": "The object's state does not allow this change.",
    "429": "Too many requests: see Retry-After.",
}


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.PersonalTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token (hp_…) made on /accounts/tokens/.",
        }


class SignedInSessionScheme(SessionScheme):
    target_class = "api.authentication.SignedInSessionAuthentication"


def add_problem_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the Problem component and its responses."""
    result.setdefault("components", {}).setdefault("schemas", {})[PROBLEM] = PROBLEM_SCHEMA
    content = {"application/problem+json": {"schema": {"$ref": f"#/components/schemas/{PROBLEM}"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = list(ALWAYS)
            if method != "get" or operation.get("parameters"):
                codes += WITH_INPUT
            if method != "get":
                codes += WRITES
            for code in codes:
                operation["responses"].setdefault(
                    code, {"description": DESCRIPTIONS[code], "content": content}
                )
    return result

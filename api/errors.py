"""Every API error in one JSON shape: RFC 9457 problem details (``application/problem+json``).

    {"type": "about:blank", "title": "…", "status": 400, "detail": "…", "code": "invalid",
     "errors": [{"field": "candidate_id", "code": "invalid", "detail": "…"}]}

Messages are the ones the web forms and services give (a form's validators, a service's
ReportError), in the language LocaleMiddleware chose for the request (its Accept-Language,
or the language cookie the browser sends). ``type`` is about:blank: the status and ``code``
say what went wrong, ``title`` is the status's short explanation in that language."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from incidents.services.errors import CaseFileError, ReportError

PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: _("The request is not valid."),
    401: _("Sign-in needed."),
    403: _("Not allowed."),
    404: _("Not found."),
    405: _("Method not allowed."),
    406: _("No acceptable response format."),
    409: _("Conflict with the current state."),
    413: _("The request is too large."),
    415: _("Unsupported media type."),
    429: _("Too many requests."),
    500: _("Server error."),
}
# The answer to "does not exist" and "not yours" alike, so a reference or id leaks nothing.
NOT_FOUND = _("Not found.")


class Conflict(exceptions.APIException):
    """A change the object's state does not allow (a service's ReportError or CaseFileError)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, Http404):
        return exceptions.NotFound(NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(get_error_detail(exc))
    if isinstance(exc, ReportError | CaseFileError):
        return Conflict(str(exc))
    return exc


def form_invalid(form) -> exceptions.ValidationError:
    """A web form's errors as the API's validation error: the same messages, in the same
    language, each under its field (``__all__`` becomes an error of the whole request)."""
    detail = {
        (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): [
            ErrorDetail(message, code=error.code or "invalid")
            for error in errors
            for message in error
        ]
        for field, errors in form.errors.as_data().items()
    }
    return exceptions.ValidationError(detail)


def _field_errors(detail, field: str | None = None) -> list[dict]:
    """Validation messages flattened to one list, each with the field it belongs to (dotted
    for nested fields; null for errors of the request as a whole)."""
    if isinstance(detail, dict):
        errors = []
        for name, value in detail.items():
            if name == api_settings.NON_FIELD_ERRORS_KEY:
                errors += _field_errors(value, field)
            else:
                errors += _field_errors(value, f"{field}.{name}" if field else str(name))
        return errors
    if isinstance(detail, list):
        return [error for item in detail for error in _field_errors(item, field)]
    return [{"field": field, "code": getattr(detail, "code", "invalid"), "detail": str(detail)}]


def problem(
    status_code: int, detail: str, *, code: str, errors: list[dict] | None = None, headers=None
) -> Response:
    body = {
        "type": "about:blank",
        "title": str(TITLES.get(status_code, TITLES[400 if status_code < 500 else 500])),
        "status": status_code,
        "detail": str(detail),
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def problem_details_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER. Anything it does not know (a bug) stays a 500 that Django
    reports as usual."""
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)  # headers: WWW-Authenticate, Retry-After
    if response is None:
        return None
    headers = {
        name: response[name] for name in ("WWW-Authenticate", "Retry-After") if name in response
    }
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        return problem(
            response.status_code,
            _("Some fields are not valid: see errors."),
            code="invalid",
            errors=errors,
            headers=headers,
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    code = getattr(detail, "code", None) or "error"
    return problem(response.status_code, detail, code=code, headers=headers)

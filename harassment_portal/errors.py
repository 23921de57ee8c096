"""The 403 and 404 pages, rendered as Django renders its 400 and 500 pages: without the request.

Django's own 403 and 404 views render with the request, which runs every context processor,
and those read the session and the signed-in user (the bell, the roles, the outbox banner).
Without the request the error pages make no database query, so they still show when the
database is what failed, and a 404 costs nothing to whoever probes for reference numbers.
The active language still applies: LocaleMiddleware activated it for this request.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseForbidden, HttpResponseNotFound
from django.template import loader


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponseNotFound:
    return HttpResponseNotFound(loader.render_to_string("404.html"))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponseForbidden:
    return HttpResponseForbidden(loader.render_to_string("403.html"))

"""Response headers that keep a page's contents where they belong (issue 11).

The Content-Security-Policy itself comes from django-csp (settings.CONTENT_SECURITY_POLICY);
this module adds what django-csp does not: a Permissions-Policy and ``Cache-Control:
no-store`` on everything a signed-in person is shown."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class PrivatePageHeadersMiddleware:
    """Permissions-Policy on every response; ``no-store`` on every response to a session.

    A front-desk browser is shared: a report, a case file or an evidence download kept in its
    cache (or shown again by the back button after she signed out) would reach the next person
    at the desk. Every page of a signed-in person may carry personal data, so all of them
    are no-store, downloads and exports included; static files never reach this middleware
    (WhiteNoise answers them first) and keep their long cache lifetime.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        # A session cookie, sent or being set, stands for "signed in": deciding by
        # request.user would load the session and the user, and error pages make no query
        # (harassment_portal/errors.py). An anonymous visitor has no session cookie (the
        # language and CSRF have cookies of their own); the sign-in answer sets it.
        cookie = settings.SESSION_COOKIE_NAME
        if cookie in request.COOKIES or cookie in response.cookies:
            add_never_cache_headers(response)
        return response

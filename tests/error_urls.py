"""The portal's URLs plus views that fail on purpose, for tests/test_error_pages.py."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connection
from django.urls import path

from harassment_portal.urls import handler403, handler404  # noqa: F401  (the portal's handlers)
from harassment_portal.urls import urlpatterns as portal_urlpatterns

# The last query a failing view makes: nothing after it may touch the database.
LAST_QUERY_OF_THE_VIEW = "SELECT 'the view fails after this query'"


def broken(request):
    with connection.cursor() as cursor:
        cursor.execute(LAST_QUERY_OF_THE_VIEW)
    raise RuntimeError("a bug in a view")


def forbidden(request):
    with connection.cursor() as cursor:
        cursor.execute(LAST_QUERY_OF_THE_VIEW)
    raise PermissionDenied


@login_not_required
def suspicious(request):
    raise SuspiciousOperation("a request that was tampered with")


urlpatterns = [
    *portal_urlpatterns,
    path("test-errors/broken/", broken),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/suspicious/", suspicious),
]

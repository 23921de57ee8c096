"""The API's views. Each reads through the incidents selectors and the capability policy and
writes through the services the web forms use; api/errors.py shapes every refusal."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.generics import ListAPIView
from rest_framework.views import APIView

from ..errors import NOT_FOUND


class PortalAPIView(APIView):
    """Every endpoint of the API. DRF marks its views as not needing Django's sign-in
    (LoginRequiredMiddleware knows only sessions, and the second factor's middleware then
    lets them through too): each authenticates for itself, a token or a fully signed-in
    session (api/authentication.py refuses a half-signed-in one), and the default permission
    (IsAuthenticated) refuses anyone else with 401."""


class PortalGenericAPIView(ListAPIView):
    """A list endpoint: PortalAPIView's authentication, the cursor pagination, and a schema
    that describes the page (drf-spectacular knows a list by ListModelMixin)."""


class NoSuchEndpoint(PortalAPIView):
    """Any other address under /api/: the same 404 problem, before any authentication."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    schema = None  # not an endpoint of the schema

    def initial(self, request, *args, **kwargs):
        raise exceptions.NotFound(NOT_FOUND)

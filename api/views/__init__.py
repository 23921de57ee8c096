"""The API's views. Each reads through the incidents selectors and the capability policy and
writes through the services the web forms use; api/errors.py shapes every refusal."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.views import APIView

from ..errors import NOT_FOUND


class ApiEntry:
    """An API endpoint authenticates for itself (a token or the session: DRF's
    authentication classes), so Django's LoginRequiredMiddleware, which knows only
    sessions, lets the request through to it. The second factor's middleware lets it
    through too; SignedInSessionAuthentication refuses a half-signed-in session instead."""

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        view.login_required = False
        return view


class PortalAPIView(ApiEntry, APIView):
    pass


class PortalGenericAPIView(ApiEntry, GenericAPIView):
    pass


class NoSuchEndpoint(PortalAPIView):
    """Any other address under /api/: the same 404 problem, before any authentication."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    schema = None  # not an endpoint of the schema

    def initial(self, request, *args, **kwargs):
        raise exceptions.NotFound(NOT_FOUND)

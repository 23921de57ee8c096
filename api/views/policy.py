"""The policy in force and its categories (DESIGN.md §2), in the request's language: what a
report names its behaviours by (category codes)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from policy.models import localized
from policy.selectors import active_categories, published_version, show_section

from ..errors import NOT_FOUND
from ..serializers import CategorySerializer, PolicySerializer
from . import PortalAPIView


class CategoryList(PortalAPIView):
    """The active categories, in the policy's order (a few dozen at most: not paginated)."""

    @extend_schema(summary="The behaviours a report names", responses=CategorySerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(CategorySerializer(active_categories(), many=True).data)


class PolicyInForce(PortalAPIView):
    """The published version: its number, title, effective date and sections."""

    @extend_schema(summary="The policy in force", responses=PolicySerializer)
    def get(self, request: Request) -> Response:
        version = published_version()
        if version is None:
            raise Http404(NOT_FOUND)
        policy = {
            "number": version.number,
            "title": localized(version, "title")[0],
            "effective_date": version.effective_date,
            "sections": [show_section(section) for section in version.sections.all()],
        }
        return Response(PolicySerializer(policy).data)

"""Her notifications: the notices about her own reports (what happened to them), and the
escalations she was told of in the portal. The recipient is the scope: nobody else's."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response

from incidents.selectors.notices import notices_for
from incidents.services.notices import notices_mark_read

from ..selectors import escalation_notifications_for
from ..serializers import (
    EscalationNotificationSerializer,
    NoticeSerializer,
    NoticesReadSerializer,
)
from . import PortalAPIView, PortalGenericAPIView


@extend_schema_view(get=extend_schema(summary="Notices about her reports"))
class NoticeList(PortalGenericAPIView):
    """Notices about her reports, newest first."""

    serializer_class = NoticeSerializer

    def get_queryset(self):
        return notices_for(self.request.user)


class NoticesRead(PortalAPIView):
    """Mark all her notices read, as the notices page's button does."""

    @extend_schema(
        summary="Mark all her notices read", request=None, responses=NoticesReadSerializer
    )
    def post(self, request: Request) -> Response:
        marked = notices_mark_read(recipient=request.user)
        return Response(NoticesReadSerializer({"marked_read": marked}).data)


@extend_schema_view(get=extend_schema(summary="Escalations she was told of"))
class EscalationNotificationList(PortalGenericAPIView):
    """The escalations she was told of in the portal, newest first."""

    serializer_class = EscalationNotificationSerializer

    def get_queryset(self):
        return escalation_notifications_for(self.request.user)

"""Escalations: the list a manager, legal or any other recipient sees in the inbox, and the
acknowledgement, through the inbox's own selectors and service."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from incidents.selectors.escalations import (
    escalations_to_act_on,
    get_escalation_to_acknowledge,
    mark_for_me,
    may_use_inbox,
    visible_escalations,
)
from incidents.services.escalation import escalation_acknowledge
from incidents.views.escalations import AcknowledgeForm

from ..errors import form_invalid
from ..serializers import AcknowledgeSerializer, EscalationSerializer
from . import PortalAPIView, PortalGenericAPIView

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
TO_ACT_ON = "to_act_on"


# What a line shows (EscalationSerializer) and what decides how she reads its report
# (accounts.policy.report_reading): never the report's narrative or the rest of its text.
LINE_FIELDS = (
    "report_id",
    "case_file_id",
    "rule_id",
    "created_at",
    "ack_deadline",
    "acknowledged_at",
    "acknowledged_by_id",
    "report__reference",
    "report__severity",
    "report__status",
    "report__reporter_id",
    "report__center_id",
    "report__support_requested",
    "rule__name_ja",
    "rule__name_en",
    "acknowledged_by__staff_code",
)


def _escalation_lines(user):
    """What the user sees of each escalation; one query for a page, whatever its size, newest
    first along escalation_recent, so that a page stops after its rows (a sort of every
    escalation ever raised before). Whether each is hers to acknowledge is read for the
    page's lines (EscalationList.paginate_queryset)."""
    return (
        visible_escalations(user)
        .select_related("report", "rule", "acknowledged_by")
        .only(*LINE_FIELDS)
    )


class EscalationFilter(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[OPEN, ACKNOWLEDGED, TO_ACT_ON],
        required=False,
        help_text="open: nobody acknowledged it yet; to_act_on: open and this user was told.",
    )
    overdue = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Only those still open past their acknowledgement deadline.",
    )


@extend_schema_view(
    get=extend_schema(
        summary="The escalations she sees",
        parameters=[EscalationFilter],
    )
)
class EscalationList(PortalGenericAPIView):
    """Every escalation the user sees (managers and legal: all; others: those they were told
    of), newest first, with whether it is hers to acknowledge."""

    serializer_class = EscalationSerializer

    def get_queryset(self):
        user = self.request.user
        if not may_use_inbox(user):
            raise Http404("No escalations.")
        escalations = _escalation_lines(user)
        filters = EscalationFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        state = filters.validated_data.get("state")
        if state == OPEN:
            escalations = escalations.filter(acknowledged_at__isnull=True)
        elif state == ACKNOWLEDGED:
            escalations = escalations.filter(acknowledged_at__isnull=False)
        elif state == TO_ACT_ON:
            mine = escalations_to_act_on(user).filter(pk=OuterRef("pk"))
            escalations = escalations.filter(Exists(mine))
        if filters.validated_data["overdue"]:
            escalations = escalations.filter(
                acknowledged_at__isnull=True, ack_deadline__lt=timezone.now()
            )
        return escalations

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else mark_for_me(self.request.user, page)


class EscalationAcknowledge(PortalAPIView):
    """Acknowledge an escalation she was told of (acknowledging twice is harmless; another's
    is not found). One acknowledgement answers for everyone told."""

    @extend_schema(
        summary="Acknowledge an escalation",
        request=AcknowledgeSerializer,
        responses=EscalationSerializer,
    )
    def post(self, request: Request, escalation_id: int) -> Response:
        escalation = get_escalation_to_acknowledge(request.user, escalation_id)
        # The inbox's form: the same limits, the same messages.
        form = AcknowledgeForm(request.data)
        if not form.is_valid():
            raise form_invalid(form)
        escalation_acknowledge(
            escalation=escalation, by=request.user, note=form.cleaned_data["note"]
        )
        (acknowledged,) = mark_for_me(
            request.user, [_escalation_lines(request.user).get(pk=escalation.pk)]
        )
        return Response(EscalationSerializer(acknowledged, context={"request": request}).data)

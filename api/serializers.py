"""What the API's own endpoints answer (reports and case files are api2's). Output only,
read from what the selectors give: the check-in answer is the page's CheckinRestriction, the
escalation line the inbox's, so neither can say more than the page does."""

from __future__ import annotations

from django.utils.timezone import now
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.policy import ReportReading, report_reading

# --- The policy and its categories -------------------------------------------------------------


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    examples = serializers.ListField(child=serializers.CharField())
    default_severity = serializers.CharField()


class PolicySectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    heading = serializers.CharField()
    body = serializers.CharField()


class PolicySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    effective_date = serializers.DateField()
    sections = PolicySectionSerializer(many=True)


# --- Check-in ----------------------------------------------------------------------------------


class CheckinRestrictionSerializer(serializers.Serializer):
    until = serializers.DateField(allow_null=True, help_text="null: without an end date")
    scope = serializers.CharField(source="scope_label")
    centers = serializers.ListField(child=serializers.CharField())
    client = serializers.CharField()
    contact = serializers.CharField()


class CandidateStatusSerializer(serializers.Serializer):
    candidate_id = serializers.CharField()
    restricted = serializers.BooleanField()
    restrictions = CheckinRestrictionSerializer(many=True)
    looked_up_at = serializers.DateTimeField()


# --- Escalations -------------------------------------------------------------------------------


class EscalationSerializer(serializers.Serializer):
    """One escalation as the inbox shows it: the report's reference always (every e-mail
    carries it), its severity and case file only to who reads the report in full."""

    id = serializers.IntegerField()
    reference = serializers.CharField(source="report.reference")
    rule = serializers.CharField(source="rule.name")
    raised_at = serializers.DateTimeField(source="created_at")
    ack_deadline = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.staff_code", allow_null=True, default=None
    )
    for_me = serializers.BooleanField(help_text="This user was told and may acknowledge it.")
    overdue = serializers.SerializerMethodField()
    severity = serializers.SerializerMethodField()
    case_file = serializers.SerializerMethodField()

    @extend_schema_field(serializers.BooleanField(help_text="Open past its deadline."))
    def get_overdue(self, escalation) -> bool:
        deadline = escalation.ack_deadline
        return escalation.acknowledged_at is None and deadline is not None and deadline < now()

    def _reads_in_full(self, escalation) -> bool:
        user = self.context["request"].user
        return report_reading(user, escalation.report) is ReportReading.FULL

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_severity(self, escalation) -> str | None:
        return escalation.report.severity if self._reads_in_full(escalation) else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_case_file(self, escalation) -> int | None:
        return escalation.case_file_id if self._reads_in_full(escalation) else None


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True)


# --- Notifications -----------------------------------------------------------------------------


class NoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField(source="get_kind_display")
    reference = serializers.CharField(source="report.reference")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NoticesReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()


class EscalationNotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    escalation = serializers.IntegerField(source="escalation_id")
    reference = serializers.CharField(source="escalation.report.reference")
    rule = serializers.CharField(source="escalation.rule.name")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(
        source="escalation.acknowledged_at", allow_null=True
    )

"""Django admin for the incidents app: the access logs (read-only) and escalation rules and
deliveries. Reports, case files and evidence are reached through the scoped pages (DESIGN.md
§8), never through the admin: escalations and notifications show references only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from .models import (
    CaseFileAccess,
    CheckinLookup,
    Escalation,
    EscalationRule,
    Notification,
    RetentionAction,
)


class ReadOnlyLogAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseFileAccess)
class CaseFileAccessAdmin(ReadOnlyLogAdmin):
    list_display = ["viewed_at", "user", "case_file_id", "what"]
    list_filter = ["what"]
    search_fields = ["user__username", "user__staff_code"]
    date_hierarchy = "viewed_at"
    list_select_related = ["user"]


@admin.register(CheckinLookup)
class CheckinLookupAdmin(ReadOnlyLogAdmin):
    list_display = [
        "looked_up_at",
        "user",
        "center",
        "candidate_id_entered",
        "restricted",
        "refused",
    ]
    list_filter = ["restricted", "refused", "center"]
    search_fields = ["user__username", "user__staff_code", "candidate_id_entered"]
    date_hierarchy = "looked_up_at"
    list_select_related = ["user", "center"]


@admin.register(RetentionAction)
class RetentionActionAdmin(ReadOnlyLogAdmin):
    """What the retention period removed: references, digests and counts, never the data."""

    list_display = ["at", "kind", "case_file_id", "attachment_id", "report_public_id", "run"]
    list_filter = ["kind"]
    search_fields = ["run", "report_public_id"]
    date_hierarchy = "at"


# --- Escalation -------------------------------------------------------------------------------


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    list_display = ["order", "name_en", "name_ja", "active", "ack_minutes", "next_level"]
    list_display_links = ["name_en"]
    list_editable = ["order", "active"]
    filter_horizontal = ["any_categories", "recipient_users"]
    fieldsets = [
        (None, {"fields": [("name_ja", "name_en"), "active", "order"]}),
        (
            gettext_lazy("When (any condition that is set)"),
            {
                "fields": [
                    "min_severity",
                    "any_categories",
                    ("on_injury", "on_police"),
                    ("on_support", "on_advice"),
                    ("repeat_count", "repeat_days"),
                ]
            },
        ),
        (
            gettext_lazy("Who is told"),
            {"fields": ["recipient_roles", "recipient_users", "external_emails"]},
        ),
        (gettext_lazy("Acknowledgement"), {"fields": ["ack_minutes", "next_level"]}),
    ]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Who was told of an escalation, by which channel: references only, never report
    content. An e-mail's delivery (status, attempts, "send again") is its outgoing e-mail's,
    under Outgoing e-mail."""

    list_display = ["id", "escalation", "recipient", "email", "channel", "delivery", "read_at"]
    list_filter = ["channel", "outbox_email__status"]
    search_fields = ["recipient__username", "recipient__staff_code", "email"]
    readonly_fields = [
        "escalation",
        "report",
        "recipient",
        "email",
        "channel",
        "created_at",
        "read_at",
        "outbox_email",
    ]
    list_select_related = ["escalation__report", "escalation__rule", "recipient", "outbox_email"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("delivery"), ordering="outbox_email__status")
    def delivery(self, notification):
        email = notification.outbox_email
        return email.get_status_display() if email else "—"


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyLogAdmin):
    list_display = [
        "id",
        "report",
        "rule",
        "created_at",
        "ack_deadline",
        "acknowledged_at",
        "acknowledged_by",
    ]
    list_filter = ["rule", ("acknowledged_at", admin.EmptyFieldListFilter)]
    list_select_related = ["report", "rule", "acknowledged_by"]
    fields = [
        "report",
        "rule",
        "previous",
        "created_at",
        "ack_deadline",
        "acknowledged_at",
        "acknowledged_by",
    ]

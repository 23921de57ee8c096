from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import DeliveryAttempt, Email, EmailStatus
from .services import email_resend


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["at", "outcome", "error"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    """Every e-mail the portal sent or owes: a reference and a link each, never a report's
    content. Failed ones and those the server may have accepted wait for a person here."""

    list_display = [
        "created_at",
        "status",
        "key",
        "to",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "subject",
    ]
    list_filter = ["status", "last_outcome"]
    search_fields = ["key", "to", "subject"]
    date_hierarchy = "created_at"
    fields = [
        "key",
        "to",
        "subject",
        "message_id",
        "status",
        "created_at",
        "retrying_since",
        "next_attempt_at",
        "queued_at",
        "last_attempt_at",
        "attempts",
        "last_outcome",
        "last_error",
        "sent_at",
        "body_text",
    ]
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Send the selected e-mails again"))
    def resend(self, request, queryset):
        count = 0
        for email in queryset.exclude(status=EmailStatus.PENDING):
            email_resend(email=email)
            count += 1
        self.message_user(
            request, _("%(count)d e-mails queued again.") % {"count": count}, messages.SUCCESS
        )

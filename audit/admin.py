from django.contrib import admin

from incidents.admin import ReadOnlyLogAdmin

from .models import DisclosureLog


@admin.register(DisclosureLog)
class DisclosureLogAdmin(ReadOnlyLogAdmin):
    """Read only, like the access logs: the table refuses changes anyway (append_only)."""

    # What was handed over is case-file content, for legal and managers on the case file
    # page: the admin shows that a disclosure happened, not what it held (DESIGN.md §8).
    fields = ["recipient_kind", "legal_basis", "disclosed_at", "recorded_by", "recorded_at"]
    list_display = ["disclosed_at", "recipient_kind", "legal_basis", "recorded_by"]
    list_filter = ["recipient_kind", "legal_basis"]
    date_hierarchy = "disclosed_at"

"""Django admin for the incidents app: only the access logs, read-only. Reports, case files
and evidence are reached through the scoped pages (DESIGN.md §8), never through the admin."""

from django.contrib import admin

from .models import CaseFileAccess, CheckinLookup


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
    list_display = ["looked_up_at", "user", "center", "candidate_id_entered", "restricted"]
    list_filter = ["restricted", "center"]
    search_fields = ["user__username", "user__staff_code", "candidate_id_entered"]
    date_hierarchy = "looked_up_at"
    list_select_related = ["user", "center"]

"""The change history (django-pghistory) as admins see it in Django admin."""

from __future__ import annotations

from pghistory.admin.core import EventsAdmin

# The history of reports, candidates and evidence holds their full text and personal data:
# it is read through the incidents app's scoped pages, never through the admin's event list,
# which would show every report to every administrator.
ADMIN_HISTORY_APPS = ("policy", "accounts")


class ConfigurationEventsAdmin(EventsAdmin):
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(pgh_obj_model__regex=rf"^({'|'.join(ADMIN_HISTORY_APPS)})\.")

"""The change history (django-pghistory) as admins see it in Django admin, in their language:
pghistory names its columns by field name ("Pgh created at"), its filters and event labels in
English ("label", "insert"), none of them translatable where it defines them."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from pghistory.admin.core import (
    EventModelFilter,
    EventsAdmin,
    LabelFilter,
    MethodFilter,
    ModelFilter,
    ObjFilter,
)

# The history of reports, candidates and evidence holds their full text and personal data:
# it is read through the incidents app's scoped pages, never through the admin's event list,
# which would show every report to every administrator.
ADMIN_HISTORY_APPS = ("policy", "accounts")

# pghistory's event labels (full_history() in policy/models.py tracks these three).
EVENT_LABELS = {"insert": _("created"), "update": _("changed"), "delete": _("deleted")}


def _record_type(label: str) -> str:
    """A model's name for "accounts.User" (or an event model's "accounts.UserEvent": the
    model it tracks), in the reader's language; the label itself if no model has it."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    tracked = getattr(model, "pgh_tracked_model", None) or model
    return str(tracked._meta.verbose_name)


class _LabelFilter(LabelFilter):
    title = _("event")

    def lookups(self, request, model_admin):
        return [
            (code, EVENT_LABELS.get(code, code))
            for code, _label in super().lookups(request, model_admin)
        ]


class _EventModelFilter(EventModelFilter):
    title = _("kind of record")

    def lookups(self, request, model_admin):
        return [
            (code, _record_type(label)) for code, label in super().lookups(request, model_admin)
        ]


class _MethodFilter(MethodFilter):
    title = _("method")


class _ObjFilter(ObjFilter):
    title = _("record")


class _ModelFilter(ModelFilter):
    title = _("kind of record")


TRANSLATED_FILTERS = {
    LabelFilter: _LabelFilter,
    EventModelFilter: _EventModelFilter,
    MethodFilter: _MethodFilter,
    ObjFilter: _ObjFilter,
    ModelFilter: _ModelFilter,
}


class ConfigurationEventsAdmin(EventsAdmin):
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(pgh_obj_model__regex=rf"^({'|'.join(ADMIN_HISTORY_APPS)})\.")

    def get_list_display(self, request):
        return ["pgh_created_at", "event", "record_type", "pgh_obj_id", "pgh_diff"]

    def get_list_filter(self, request):
        return [TRANSLATED_FILTERS.get(f, f) for f in super().get_list_filter(request)]

    @admin.display(description=_("kind of record"), ordering="pgh_obj_model")
    def record_type(self, event) -> str:
        return _record_type(event.pgh_obj_model)

    @admin.display(description=_("event"), ordering="pgh_label")
    def event(self, event) -> str:
        return EVENT_LABELS.get(event.pgh_label, event.pgh_label)

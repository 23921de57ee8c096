from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User

from .models import CandidateNoticeSettings, Category, PolicySection, PolicyVersion
from .services import PolicyError, policy_version_create_draft, policy_version_publish


class NormalisedLineEndingsForm(forms.ModelForm):
    """Browsers send text areas with CRLF line endings; the seeded text has LF. Stored as
    they came, every saved section differed from its previous version on every line, and the
    version history marked the whole policy changed. Text is stored with LF only."""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str) and "\r" in value:
                cleaned[name] = value.replace("\r\n", "\n").replace("\r", "\n")
        return cleaned


class PolicySectionInline(admin.StackedInline):
    model = PolicySection
    form = NormalisedLineEndingsForm
    extra = 0
    fields = ["order", "key", ("heading_ja", "heading_en"), ("body_ja", "body_en")]

    # A published or archived version is a record: its sections are shown, never edited.
    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "title_ja",
        "title_en",
        "status",
        "effective_date",
        "published_at",
        "published_by",
    ]
    list_filter = ["status"]
    inlines = [PolicySectionInline]
    change_form_template = "admin/policy/policyversion/change_form.html"
    fields = [
        "number",
        "status",
        ("title_ja", "title_en"),
        "effective_date",
        "change_note",
        "based_on",
        ("created_by", "created_at"),
        ("published_by", "published_at"),
    ]
    readonly_fields = [
        "number",
        "status",
        "based_on",
        "created_by",
        "created_at",
        "published_by",
        "published_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return [field.name for field in PolicyVersion._meta.fields if field.name != "id"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.number = (PolicyVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        own = [
            path(
                "<int:pk>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="policy_policyversion_publish",
            ),
            path(
                "<int:pk>/new-draft/",
                self.admin_site.admin_view(require_POST(self.new_draft_view)),
                name="policy_policyversion_new_draft",
            ),
        ]
        return own + super().get_urls()

    def _change_url(self, version: PolicyVersion) -> str:
        return reverse("admin:policy_policyversion_change", args=[version.pk])

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(PolicyVersion, pk=pk)
        if not self.has_change_permission(request, version):
            return HttpResponseRedirect(self._change_url(version))
        if request.method == "POST":
            try:
                policy_version_publish(version=version, published_by=request.user)
            except PolicyError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Version %(number)s is published: everyone now reads it.")
                    % {"number": version.number},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(self._change_url(version))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "version": version,
            "current": PolicyVersion.objects.filter(status="published").first(),
            "title": _("Publish policy version %(number)s?") % {"number": version.number},
        }
        return TemplateResponse(request, "admin/policy/policyversion/publish_confirm.html", context)

    def new_draft_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        source = get_object_or_404(PolicyVersion, pk=pk)
        if not self.has_add_permission(request):
            return HttpResponseRedirect(self._change_url(source))
        draft = policy_version_create_draft(source=source, created_by=request.user)
        self.message_user(
            request,
            _(
                "Draft version %(number)s was created from version %(source)s. "
                "Edit it, preview it, then publish it."
            )
            % {"number": draft.number, "source": source.number},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._change_url(draft))


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = NormalisedLineEndingsForm
    list_display = ["order", "code", "name_ja", "name_en", "default_severity", "active"]
    list_display_links = ["code"]
    list_editable = ["order", "active"]
    list_filter = ["active", "default_severity"]
    search_fields = ["code", "name_ja", "name_en"]
    fields = [
        "code",
        ("name_ja", "name_en"),
        ("description_ja", "description_en"),
        ("examples_ja", "examples_en"),
        "default_severity",
        "order",
        "active",
    ]
    actions = ["retire"]

    def get_readonly_fields(self, request, obj=None):
        # Codes are fixed once created (a database trigger refuses a change too).
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Retire the selected categories"))
    def retire(self, request, queryset):
        count = queryset.update(active=False)
        self.message_user(
            request, _("%(count)d categories retired.") % {"count": count}, messages.SUCCESS
        )


class CandidateNoticeSettingsForm(NormalisedLineEndingsForm):
    """Refuses a text that names a member of staff by full name: the notice goes to the
    candidate, and staff are named by code only (DESIGN.md §8)."""

    def clean(self):
        cleaned = super().clean()
        texts = {name: value for name, value in cleaned.items() if isinstance(value, str)}
        for family, given in (
            User.objects.exclude(last_name="")
            .exclude(first_name="")
            .values_list("last_name", "first_name")
        ):
            full_names = {f"{family}{given}", f"{family} {given}", f"{given} {family}"}
            for name, value in texts.items():
                squeezed = " ".join(value.split()).casefold()
                if any(full_name.casefold() in squeezed for full_name in full_names):
                    self.add_error(
                        name,
                        _(
                            "Name no member of staff: the notice goes to the candidate. Give "
                            "a desk or a staff code instead."
                        ),
                    )
        return cleaned


@admin.register(CandidateNoticeSettings)
class CandidateNoticeSettingsAdmin(admin.ModelAdmin):
    form = CandidateNoticeSettingsForm
    fieldsets = [
        (None, {"fields": [("company_name_ja", "company_name_en")]}),
        (
            gettext_lazy("Contact"),
            {
                "fields": [
                    "phone",
                    "email",
                    ("postal_address_ja", "postal_address_en"),
                    ("hours_ja", "hours_en"),
                ]
            },
        ),
        (
            gettext_lazy("How to contest the decision"),
            {
                "fields": [
                    ("appeal_route_ja", "appeal_route_en"),
                    ("appeal_deadline_ja", "appeal_deadline_en"),
                ]
            },
        ),
    ]

    # One row: added once, never deleted; the list leads straight to it.
    def has_add_permission(self, request):
        return not CandidateNoticeSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        row = CandidateNoticeSettings.objects.first()
        if row is not None:
            return HttpResponseRedirect(
                reverse("admin:policy_candidatenoticesettings_change", args=[row.pk])
            )
        if self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:policy_candidatenoticesettings_add"))
        return super().changelist_view(request, extra_context)

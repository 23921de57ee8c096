"""The disclosure form of the case file page and the audit view's filters."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DisclosureLog, LegalBasis


class DisclosureForm(forms.ModelForm):
    class Meta:
        model = DisclosureLog
        fields = [
            "recipient_kind",
            "recipient_name",
            "legal_basis",
            "legal_basis_detail",
            "disclosed",
            "disclosed_at",
        ]
        widgets = {
            "legal_basis_detail": forms.Textarea(attrs={"rows": 2}),
            "disclosed": forms.Textarea(attrs={"rows": 3}),
            "disclosed_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def clean(self):
        data = super().clean()
        if (
            data.get("legal_basis") == LegalBasis.OTHER
            and not (data.get("legal_basis_detail") or "").strip()
        ):
            self.add_error(
                "legal_basis_detail",
                _("Explain the legal basis when it is none of those listed."),
            )
        disclosed_at = data.get("disclosed_at")
        if disclosed_at and disclosed_at > timezone.now():
            self.add_error("disclosed_at", _("A disclosure cannot be recorded before it happened."))
        return data


class TrailFilterForm(forms.Form):
    """The audit view's filters. Read from the query string, so that a filtered view has an
    address and its CSV export is that address's lines."""

    kind = forms.ChoiceField(label=_("Kind of record"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    staff_code = forms.CharField(label=_("Staff code"), required=False, max_length=20)
    record = forms.CharField(label=_("Reference or candidate ID"), required=False, max_length=40)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        from .trail import KINDS, Action

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *KINDS]
        self.fields["action"].choices = [("", _("All")), *Action.choices]

    # Dates far outside the portal's life would overflow when turned into times: a filter
    # from year 1 or until year 9999 means "from the start" or "until now" anyway.
    EARLIEST, LATEST = date(1900, 1, 1), date(9000, 12, 31)

    def clean_since(self):
        day = self.cleaned_data["since"]
        return day and min(max(day, self.EARLIEST), self.LATEST)

    def clean_until(self):
        day = self.cleaned_data["until"]
        return day and min(max(day, self.EARLIEST), self.LATEST)

    def filters(self):
        from .trail import TrailFilters

        if not self.is_bound or not self.is_valid():
            return TrailFilters()
        return TrailFilters(**self.cleaned_data)

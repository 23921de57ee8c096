"""The tokens page's form: a name to recognise the token by, and how long it lives."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .models import PersonalToken

LIFETIMES_DAYS = (7, 30, 90, 180, 365)


def lifetime_choices() -> list[tuple[int, str]]:
    """The lives offered, up to API_TOKEN_MAX_DAYS (always at least the longest allowed)."""
    most = settings.API_TOKEN_MAX_DAYS
    days = sorted({d for d in LIFETIMES_DAYS if d <= most} | {most})
    label = ngettext_lazy("%(days)d day", "%(days)d days", "days")
    return [(d, label % {"days": d}) for d in days]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=PersonalToken._meta.get_field("name").max_length,
        help_text=_("What the token is for, such as “Check-in system, Tokyo desk 2”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    lifetime_days = forms.TypedChoiceField(
        label=_("Expires after"),
        coerce=int,
        choices=lifetime_choices,
        initial=90,
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].replace("\x00", "").strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."), code="required")
        return name

    def expires_at(self) -> datetime:
        return timezone.now() + timedelta(days=self.cleaned_data["lifetime_days"])

"""The dashboard's filters, as a GET form: the period (whole months) and the centers, in the
URL, so that a view of the figures can be bookmarked and shared."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import TestCenter

from .selectors import MAX_MONTHS, DashboardFilters, Period, next_month

# The default view: the last twelve months, this one included.
DEFAULT_MONTHS = 12
# The longest period a page shows month by month (a table of three years is already long;
# the rollup of repeat candidates reaches that far back: selectors.MAX_MONTHS).
EARLIEST_MONTH, LATEST_MONTH = date(2000, 1, 1), date(2099, 12, 1)


def months_before(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def this_month() -> date:
    return timezone.localdate().replace(day=1)


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (what ``<input type="month">`` sends), as its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "maxlength": 7})
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            month = date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not EARLIEST_MONTH <= month <= LATEST_MONTH:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class DashboardFilterForm(forms.Form):
    start = MonthField(label=_("From (month)"), required=False)
    end = MonthField(label=_("To (month)"), required=False)
    center = forms.ModelMultipleChoiceField(
        label=_("Centers"),
        queryset=TestCenter.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every center you see."),
    )

    def __init__(self, data, *, centers):
        super().__init__(data)
        self.centers = centers
        self.fields["center"].queryset = centers
        self.fields["center"].label_from_instance = lambda center: center.name
        self.fields["start"].widget.attrs["max"] = self.fields["end"].widget.attrs["max"] = (
            f"{LATEST_MONTH:%Y-%m}"
        )

    def clean(self):
        cleaned = super().clean()
        end = cleaned.get("end") or this_month()
        start = cleaned.get("start") or months_before(end, DEFAULT_MONTHS - 1)
        if start > end:
            raise forms.ValidationError(_("The period ends before it starts."))
        if months_before(end, MAX_MONTHS - 1) > start:
            raise forms.ValidationError(
                _("Choose a period of at most %(months)s months.") % {"months": MAX_MONTHS}
            )
        cleaned["period"] = Period(first=start, last=end)
        return cleaned

    def filters(self) -> DashboardFilters:
        """The filters as given, or the default view where they do not hold (the page shows
        the errors above the figures it falls back to)."""
        if self.is_valid():
            period = self.cleaned_data["period"]
            chosen = self.cleaned_data["center"]
        else:
            end = this_month()
            period, chosen = Period(first=months_before(end, DEFAULT_MONTHS - 1), last=end), None
        centers = chosen if chosen else self.centers
        return DashboardFilters(
            period=period, center_ids=tuple(sorted(center.pk for center in centers))
        )


__all__ = ["DashboardFilterForm", "months_before", "next_month", "this_month"]

"""The form of the case summary PDF: to whom, on what basis, in which language."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from audit.models import LegalBasis

from .redaction import SUMMARY_RECIPIENTS


class CaseSummaryForm(forms.Form):
    recipient_kind = forms.ChoiceField(
        label=_("Recipient"), choices=SUMMARY_RECIPIENTS, widget=forms.RadioSelect
    )
    recipient_name = forms.CharField(
        label=_("Recipient's name"),
        max_length=200,
        help_text=_("The station, company or law firm, and the person who receives it."),
    )
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=LegalBasis.choices)
    # Required with "other": the service says so (audit.services.disclosure_record).
    legal_basis_detail = forms.CharField(
        label=_("Legal basis in detail"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The law, the request's number or the circumstances."),
    )
    language = forms.ChoiceField(
        label=_("Language of the PDF"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        widget=forms.RadioSelect,
    )

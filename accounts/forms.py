from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LanguageForm(forms.Form):
    """The language of her e-mails and notifications (the pages follow the navbar switch)."""

    language = forms.ChoiceField(
        label=_("Language for e-mails and notifications"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        help_text=_(
            "E-mails from the portal are written in this language, whichever language a shared "
            "device shows. The switch at the top changes only the language of the pages."
        ),
    )

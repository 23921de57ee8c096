"""Django admin with every select's empty choice in the reader's language.

Django offers "---------" for an empty choice (a blank choice field, an optional foreign key,
the actions menu), untranslated. Every admin registered on this site, ours and third-party
ones alike, and their inlines, get a named empty choice instead: one place rather than a
mixin each admin module must remember."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import BLANK_CHOICE_DASH
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from mfa.gate import awaiting_second_factor, second_factor_passed

DASHES = BLANK_CHOICE_DASH[0][1]
EMPTY_CHOICE = _("(none)")


def with_named_blank(formfield: forms.Field | None) -> forms.Field | None:
    if isinstance(formfield, forms.ModelChoiceField):
        if formfield.empty_label == DASHES:
            formfield.empty_label = EMPTY_CHOICE
    elif isinstance(formfield, forms.ChoiceField):
        choices = list(formfield.choices)
        if choices and choices[0] == ("", DASHES):
            formfield.choices = [("", EMPTY_CHOICE), *choices[1:]]
    return formfield


class NamedBlanks:
    """Mixed into every ModelAdmin and inline of the site."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return with_named_blank(super().formfield_for_dbfield(db_field, request, **kwargs))

    def get_action_choices(self, request, default_choices=BLANK_CHOICE_DASH):
        if default_choices == BLANK_CHOICE_DASH:
            default_choices = [("", _("Choose an action"))]
        return super().get_action_choices(request, default_choices)


def _named_blanks(admin_class: type) -> type:
    attrs = {"__module__": admin_class.__module__}
    if getattr(admin_class, "inlines", None):
        attrs["inlines"] = [_named_blanks(inline) for inline in admin_class.inlines]
    return type(admin_class.__name__, (NamedBlanks, admin_class), attrs)


class PortalAdminSite(admin.AdminSite):
    def has_permission(self, request):
        """Staff accounts that passed a second factor in this session: the admin edits the
        policy, the users and their roles (and everyone who may open it must have one,
        accounts/policy.py's needs_second_factor)."""
        return super().has_permission(request) and second_factor_passed(request)

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, **_kwargs):
        """The portal's sign-in and second factor, never admin's own form, which would let a
        password alone in."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
            "admin:index", current_app=self.name
        )
        step = "mfa:verify" if awaiting_second_factor(request) else "login"
        return redirect_to_login(next_url, reverse(step))

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = _named_blanks(admin_class or admin.ModelAdmin)
        super().register(model_or_iterable, admin_class, **options)

"""Re-authentication before the gravest acts (ASVS 3.7.1): approving a refusal of testing or
legal action, exporting personal data, changing someone's roles. A session that has been
open for a while may be someone else's at a shared desk; these acts ask her to prove she is
still the one signed in.

``@reauthenticated`` lets the view run when her identity was confirmed within ``max_age``
(signing in counts: accounts/sessions.py stamps it); otherwise it sends her to
/accounts/confirm/ and back. An interrupted POST is never replayed after the confirmation
(she may not remember what she had sent, and the record may have changed meanwhile): she goes
back to the form page, with what she typed kept for the views that put it back
(:func:`kept_form`), and a message saying why.

What counts as confirming is decided in one place, :func:`identity_confirm` (a password today;
a passkey or a one-time code can be added there).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .sessions import CONFIRMED_AT

# What a POST interrupted by the confirmation had typed: {"action": path, "fields": {...}}.
KEPT_FORM = "_reauth_kept_form"
# Never kept in the session, whatever the form.
_NOT_KEPT = ("csrfmiddlewaretoken", "password")


def confirmed_within(request: HttpRequest, max_age: int) -> bool:
    confirmed_at = request.session.get(CONFIRMED_AT)
    return confirmed_at is not None and time.time() - confirmed_at < max_age


def identity_confirm(request: HttpRequest, *, password: str) -> bool:
    """Whether ``password`` is hers, and if so, stamp the session as confirmed now. Through
    authenticate(), so that the lockout counts wrong passwords here as at the sign-in (a
    stolen session cannot guess at her password freely)."""
    user = request.user
    confirmed = authenticate(request, username=user.get_username(), password=password)
    if confirmed is None or confirmed.pk != user.pk:
        return False
    request.session[CONFIRMED_AT] = int(time.time())
    return True


def _safe(request: HttpRequest, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def reauthenticated(
    view: Callable | None = None,
    *,
    max_age: int | None = None,
    form_page: Callable[..., str] | None = None,
    on_get: bool = True,
):
    """Ask for a confirmation older than ``max_age`` seconds (REAUTH_MAX_AGE_SECONDS) before
    the view runs. ``form_page(request, *args, **kwargs)`` names the page an interrupted POST
    returns to and says that page puts back what was typed (:func:`kept_form`); without it
    the POST returns to its own URL (a Django admin page) and is to be made again.
    ``on_get=False`` lets GETs through (a list whose POSTs are actions)."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            limit = max_age or settings.REAUTH_MAX_AGE_SECONDS
            reading = request.method in ("GET", "HEAD")
            if (reading and not on_get) or confirmed_within(request, limit):
                return view_func(request, *args, **kwargs)
            if reading:
                return_to = request.get_full_path()
            elif form_page is not None:
                return_to = form_page(request, *args, **kwargs)
                request.session[KEPT_FORM] = {
                    "action": request.path,
                    "fields": {
                        name: request.POST.getlist(name)
                        for name in request.POST
                        if not any(word in name for word in _NOT_KEPT)
                    },
                }
                messages.info(
                    request,
                    _(
                        "Please confirm your password first: this needs a recent confirmation. "
                        "Nothing was sent yet. What you typed is kept: check it and send it again."
                    ),
                )
            else:
                return_to = request.get_full_path()
                messages.info(
                    request,
                    _(
                        "Please confirm your password first: this needs a recent confirmation. "
                        "Nothing was saved: make your change again afterwards."
                    ),
                )
            query = urlencode({"next": return_to})
            return redirect(f"{reverse('reauth_confirm')}?{query}")

        return wrapper

    return decorator(view) if view is not None else decorator


def kept_form(request: HttpRequest, action: str) -> dict[str, str] | None:
    """What an interrupted POST to ``action`` had typed (one value per field), once."""
    kept = request.session.get(KEPT_FORM)
    if not kept or kept.get("action") != action:
        return None
    del request.session[KEPT_FORM]
    return {name: values[-1] for name, values in kept["fields"].items() if values}


class ConfirmForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    """/accounts/confirm/?next=…: her password again, then back to where she was."""
    next_url = _safe(request, request.POST.get("next") or request.GET.get("next"))
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if identity_confirm(request, password=form.cleaned_data["password"]):
            return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
        form.add_error("password", _("This is not your password."))
    return render(
        request,
        "accounts/confirm.html",
        {"form": form, "next": next_url or ""},
        status=422 if form.errors else 200,
    )


# The Django admin pages that change who may do what: adding, changing or deleting the record,
# a user's password, and the list's actions (its POSTs; reading the list asks nothing).
_ADMIN_PAGES = ("add_view", "change_view", "delete_view", "user_change_password")


def reauthenticated_admin(model_admin: type) -> type:
    """Class decorator for a ModelAdmin whose changes change roles (users, memberships)."""
    for name in _ADMIN_PAGES:
        if hasattr(model_admin, name):
            setattr(
                model_admin, name, method_decorator(reauthenticated)(getattr(model_admin, name))
            )
    changelist = method_decorator(reauthenticated(on_get=False))
    model_admin.changelist_view = changelist(model_admin.changelist_view)
    return model_admin

"""The check-in desk's lookup: one field, one answer, nothing of the incidents behind it."""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.client_ip import client_ip

from ..models import normalise_candidate_id, validate_candidate_id
from ..selectors.checkin import ensure_checkin_access, restrictions_for_checkin
from ..services.checkin import (
    ENTERED_MAX_LENGTH,
    CheckinAllowance,
    checkin_lookup_log,
    checkin_rate_limit_consume,
)

# The desk's device: a random token in a signed cookie, set by its first lookup. Signed, so a
# script cannot make up devices to spread a sweep over; a lookup without a valid one counts
# against the client address too, so throwing the cookie away gains nothing either.
DEVICE_COOKIE = "hp_checkin_device"
DEVICE_COOKIE_SALT = "incidents.checkin.device"
DEVICE_COOKIE_MAX_AGE = 400 * 24 * 60 * 60  # the longest lifetime browsers keep (RFC 6265bis)


class CheckinForm(forms.Form):
    candidate_id = forms.CharField(
        label=_("Candidate ID"),
        max_length=ENTERED_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "form-control-lg fs-3 font-monospace",
            }
        ),
    )

    def clean_candidate_id(self) -> str:
        candidate_id = normalise_candidate_id(self.cleaned_data["candidate_id"])
        validate_candidate_id(candidate_id)  # CANDIDATE_ID_PATTERN, with a translated message
        return candidate_id


# POST, never GET: a candidate ID must stay out of URLs, server logs and browser history, so
# the answer is the POST's own response rather than a redirect. Never cached: the desk's tablet
# is shared, and the back button must not bring an answer back.
@never_cache
@require_http_methods(["GET", "POST"])
def checkin_lookup(request: HttpRequest) -> HttpResponse:
    ensure_checkin_access(request.user)
    if request.method != "POST":
        return _render(request, CheckinForm())

    token = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_COOKIE_SALT)
    devices = [f"token:{token}"]
    if token is None:
        # A new device (or a cookie thrown away): the lookup counts for the device it is
        # about to become and for the address it comes from.
        token = secrets.token_urlsafe(18)
        devices = [f"token:{token}", f"address:{client_ip(request)}"]
    allowance = checkin_rate_limit_consume(user=request.user, devices=devices)
    if not allowance.allowed:
        checkin_lookup_log(
            user=request.user,
            candidate_id_entered=request.POST.get("candidate_id", ""),
            restricted=False,
            refused=True,
        )
        response = _render(request, CheckinForm(), rate_limited=allowance, status=429)
        response["Retry-After"] = str(allowance.retry_after_seconds)
        return response

    response = _answer(request)
    # Only an allowed lookup hands out a device: a refused one must not be a way to a fresh
    # window. Set again on every lookup, so a tablet in daily use keeps it.
    response.set_signed_cookie(
        DEVICE_COOKIE,
        token,
        salt=DEVICE_COOKIE_SALT,
        max_age=DEVICE_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _answer(request: HttpRequest) -> HttpResponse:
    """The lookup itself, once the rate limit allowed it."""
    form = CheckinForm(request.POST)
    if not form.is_valid():
        # A mistyped ID is a lookup too: it is logged, as typed, like any other.
        checkin_lookup_log(
            user=request.user,
            candidate_id_entered=request.POST.get("candidate_id", ""),
            restricted=False,
        )
        return _render(request, form, status=422)

    candidate_id = form.cleaned_data["candidate_id"]
    restrictions = restrictions_for_checkin(request.user, candidate_id)
    lookup = checkin_lookup_log(
        user=request.user,
        candidate_id_entered=request.POST["candidate_id"],
        restricted=bool(restrictions),
    )
    answer = {
        "candidate_id": candidate_id,
        "restrictions": restrictions,
        "looked_up_at": lookup.looked_up_at,
    }
    # An empty field, ready for the next candidate at the desk.
    return _render(request, CheckinForm(), answer=answer)


def _render(
    request: HttpRequest,
    form: CheckinForm,
    *,
    answer: dict | None = None,
    rate_limited: CheckinAllowance | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "answer": answer, "rate_limited": rate_limited}
    return render(request, "incidents/checkin.html", context, status=status)

"""The check-in desk's lookup: one field, one answer, nothing of the incidents behind it."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..models import normalise_candidate_id, validate_candidate_id
from ..selectors.checkin import ensure_checkin_access, restrictions_for_checkin
from ..services.checkin import (
    ENTERED_MAX_LENGTH,
    checkin_lookup_log,
    checkin_rate_limit_consume,
)


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

    if not checkin_rate_limit_consume(user=request.user):
        return _render(request, CheckinForm(), rate_limited=True, status=429)

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
    rate_limited: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "answer": answer, "rate_limited": rate_limited}
    return render(request, "incidents/checkin.html", context, status=status)

"""What the report form does in the background while the reporter types (the autosave, the
evidence upload with its progress) and throwing a draft away. The background endpoints answer
JSON, also when the session has ended: a redirect to the sign-in page would reach the script
as a page of HTML, and the reporter would never learn that nothing was saved."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import capabilities_of

from ..forms import ReportForm
from ..models import IncidentReport
from ..selectors import get_draft_for_user, reporting_centers, submitted_from_draft
from ..services import (
    DRAFT_FIELDS,
    ReportError,
    report_attach_evidence,
    report_discard_draft,
    report_save_draft,
)
from .reports import draft_urls, has_substance, saved_at_text


def _signed_out(next_url: str) -> JsonResponse:
    """401 with where to sign in: ``next`` brings the reporter back to the form she was on,
    where the page puts back what it kept in the tab."""
    login_url = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': next_url})}"
    return JsonResponse(
        {
            "error": "signed_out",
            "message": _(
                "Your session has ended. What you typed is kept in this tab: sign in again "
                "to save it."
            ),
            "login_url": login_url,
        },
        status=401,
    )


def _refused(message: str, status: int = 403) -> JsonResponse:
    return JsonResponse({"error": "refused", "message": message}, status=status)


@login_not_required  # answers 401 JSON itself rather than a redirect to the sign-in page
@require_POST
def autosave_new(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return _signed_out(reverse("incidents:new"))
    if not capabilities_of(request.user).files_reports or not reporting_centers(request.user):
        return _refused(_("You need a role in a test center to file a report."))
    return _autosave(request, draft=None)


@login_not_required
@require_POST
def autosave_draft(request: HttpRequest, draft_id: uuid.UUID) -> JsonResponse:
    if not request.user.is_authenticated:
        return _signed_out(reverse("incidents:draft", kwargs={"draft_id": draft_id}))
    submitted = submitted_from_draft(request.user, draft_id)
    if submitted is not None:  # submitted in another tab: nothing more to save here
        url = reverse("incidents:detail", kwargs={"reference": submitted.reference})
        return JsonResponse({"submitted": True, "url": url}, status=409)
    return _autosave(request, draft=get_draft_for_user(request.user, draft_id))


def _autosave(request: HttpRequest, draft: IncidentReport | None) -> JsonResponse:
    """Save what the form holds through the same service as "Save draft". A field that does
    not pass its check keeps its saved value (and the page its typed one); the others are
    saved, so one bad date never holds the narrative back."""
    form = ReportForm(request.POST, instance=draft, user=request.user)
    form.is_valid()
    data = form.cleaned_data
    if "form_token" not in data:
        return _refused(_("This form cannot be saved: reload the page."), status=400)
    # Evidence chosen on an untouched form is content too: the draft is made to take it.
    chosen_evidence = request.POST.get("evidence_chosen") == "1"
    if draft is None and not has_substance(data) and not chosen_evidence:
        return JsonResponse({"saved": False})  # nothing typed yet: no ghost draft
    values = {name: value for name, value in data.items() if name in DRAFT_FIELDS}
    if "categories" in data:
        categories = data["categories"]
    else:
        categories = list(draft.categories.all()) if draft else []
    try:
        report = report_save_draft(
            reporter=request.user,
            form_token=data["form_token"],
            values=values,
            categories=categories,
            report=draft,
        )
    except ReportError as error:  # FormAlreadyUsed included: the page keeps what it holds
        return _refused(str(error), status=409)
    if report.is_record:
        url = reverse("incidents:detail", kwargs={"reference": report.reference})
        return JsonResponse({"submitted": True, "url": url}, status=409)
    return JsonResponse(
        {
            "saved": True,
            "saved_at": saved_at_text(report),
            "errors": {name: [str(e) for e in errors] for name, errors in form.errors.items()},
            **draft_urls(report),
        }
    )


@login_not_required
@require_POST
def draft_evidence_upload(request: HttpRequest, draft_id: uuid.UUID) -> JsonResponse:
    """Evidence sent on its own, as soon as it is chosen, so that the page can show the
    upload's progress; each file is checked by the same service as the form's."""
    if not request.user.is_authenticated:
        return _signed_out(reverse("incidents:draft", kwargs={"draft_id": draft_id}))
    draft = get_draft_for_user(request.user, draft_id)
    try:
        stored, rejected = report_attach_evidence(
            report=draft, files=request.FILES.getlist("evidence"), by=request.user
        )
    except ReportError as error:
        return _refused(str(error), status=409)
    return JsonResponse(
        {
            "stored": [{"name": a.original_name, "size": a.size} for a in stored],
            "rejected": [{"name": r.name, "message": r.message} for r in rejected],
        },
        status=200 if stored or not rejected else 422,
    )


def draft_discard(request: HttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    """A confirmation page (which works without a script), then the discard on its POST."""
    draft = get_draft_for_user(request.user, draft_id)
    if request.method != "POST":
        return render(request, "incidents/draft_discard.html", {"draft": draft})
    report_discard_draft(report=draft, by=request.user)
    messages.success(request, _("The draft was discarded, with its evidence files."))
    return redirect("incidents:mine")

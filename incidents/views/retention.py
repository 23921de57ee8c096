"""From the case file: legal's hold on it, and the candidate's subject-access export."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import capabilities_of
from accounts.reauth import reauthenticated

from ..models import CaseFile
from ..selectors.cases import get_case_file_for_user
from ..selectors.subject_access import subject_access_export
from ..services.errors import CaseFileError
from ..services.retention import case_file_release_legal_hold, case_file_set_legal_hold
from ..services.subject_access import subject_access_record

REASON_MAX_CHARS = 2_000


def _case_file_for(request: HttpRequest, case_file_id: int, capability: str) -> CaseFile:
    """The case file if ``request.user`` may open it and has ``capability``; 404 alike for
    "no such file", "not yours" and "not for you"."""
    case_file = get_case_file_for_user(request.user, case_file_id)
    if not getattr(capabilities_of(request.user), capability):
        raise Http404("No such case file.")
    return case_file


@require_POST
def legal_hold(request: HttpRequest, case_file_id: int) -> HttpResponse:
    case_file = _case_file_for(request, case_file_id, "holds_legally")
    # Read without a form, so without its NUL check: PostgreSQL refuses NUL in text, and a
    # pasted one would otherwise end the request in a server error.
    reason = request.POST.get("reason", "").replace("\x00", "")[:REASON_MAX_CHARS]
    act = case_file_release_legal_hold if case_file.legal_hold else case_file_set_legal_hold
    try:
        act(case_file=case_file, by=request.user, reason=reason)
    except CaseFileError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The legal hold is released.")
            if case_file.legal_hold
            else _("The case file is under a legal hold."),
        )
    return redirect(reverse("cases:detail", kwargs={"case_file_id": case_file.pk}) + "#legal-hold")


# Exporting personal data asks for her password again when it was last given long ago
# (ASVS 3.7.1): a session left open at a shared desk must not hand a candidate's file out.
@reauthenticated
def subject_access_page(request: HttpRequest, case_file_id: int) -> HttpResponse:
    case_file = _case_file_for(request, case_file_id, "exports_subject_access")
    export = subject_access_export(case_file)
    subject_access_record(case_file=case_file, by=request.user, form="printable page")
    return render(
        request, "incidents/subject_access.html", {"case_file": case_file, "export": export}
    )


@reauthenticated
def subject_access_json(request: HttpRequest, case_file_id: int) -> HttpResponse:
    case_file = _case_file_for(request, case_file_id, "exports_subject_access")
    export = subject_access_export(case_file)
    subject_access_record(case_file=case_file, by=request.user, form="json")
    response = HttpResponse(
        json.dumps(export, ensure_ascii=False, indent=2), content_type="application/json"
    )
    name = f"subject-access-{case_file.candidate.candidate_id}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

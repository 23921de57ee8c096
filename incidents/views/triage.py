"""Reviewers' actions on a report page: status, corrections, notes, questions, linking."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms import (
    CorrectionForm,
    InformationRequestForm,
    LinkCandidateForm,
    NoteForm,
    StatusForm,
)
from ..models import IncidentReport
from ..selectors import get_report_for_user
from ..selectors.access import can_triage
from ..services import ReportError
from ..services.cases import case_file_link_report
from ..services.triage import (
    information_request,
    note_add,
    report_correct,
    report_set_status,
)
from .reports import render_report_detail, report_url


def _report_for_triage(request: HttpRequest, reference: str) -> IncidentReport:
    report = get_report_for_user(request.user, reference)
    if not can_triage(request.user, report):
        raise Http404("No such report.")  # the reporter herself: she cannot triage her report
    return report


def _handle(request, reference: str, form_class, form_name: str, act, success: str):
    """Validate ``form_class``; on success run ``act(report, data)`` and go back to the report;
    on a problem, show the report page again with the form as typed and the message."""
    report = _report_for_triage(request, reference)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(report, form.cleaned_data)
        except ReportError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, success)
            return redirect(report_url(report) + "#review")
    return render_report_detail(request, report, status=422, **{form_name: form})


@require_POST
def report_status(request: HttpRequest, reference: str) -> HttpResponse:
    return _handle(
        request,
        reference,
        StatusForm,
        "status_form",
        lambda report, data: report_set_status(
            report=report, by=request.user, status=data["status"], note=data["note"]
        ),
        _("The report's status was changed."),
    )


@require_POST
def report_correction(request: HttpRequest, reference: str) -> HttpResponse:
    return _handle(
        request,
        reference,
        CorrectionForm,
        "correction_form",
        lambda report, data: report_correct(
            report=report,
            by=request.user,
            categories=data["categories"],
            severity=data["severity"],
            reason=data["reason"],
        ),
        _("The correction was recorded."),
    )


@require_POST
def report_note(request: HttpRequest, reference: str) -> HttpResponse:
    return _handle(
        request,
        reference,
        NoteForm,
        "note_form",
        lambda report, data: note_add(by=request.user, text=data["text"], report=report),
        _("Your note was added. The reporter does not see it."),
    )


@require_POST
def report_question(request: HttpRequest, reference: str) -> HttpResponse:
    return _handle(
        request,
        reference,
        InformationRequestForm,
        "question_form",
        lambda report, data: information_request(
            report=report, by=request.user, question=data["question"]
        ),
        _("The reporter was asked. Her answer will appear as an addendum."),
    )


@require_POST
def report_link(request: HttpRequest, reference: str) -> HttpResponse:
    return _handle(
        request,
        reference,
        LinkCandidateForm,
        "link_form",
        lambda report, data: case_file_link_report(
            report=report, by=request.user, candidate_id=data["candidate_id"], reason=data["reason"]
        ),
        _("The report is now linked to that candidate."),
    )

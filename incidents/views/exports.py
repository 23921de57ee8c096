"""Exports: the case summary PDF (legal and managers), the record sheet of one incident
(its center's supervisors, managers, legal) and the review queue as CSV (who has the queue).
Who may not gets the 404 of a record that does not exist."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from accounts.policy import capabilities_of, may_print_record_sheet
from accounts.reauth import kept_form, reauthenticated
from audit.services import DisclosureError
from harassment_portal.csv_export import csv_response

from ..exports.documents import record_sheet
from ..exports.forms import CaseSummaryForm
from ..exports.pdf import pdf_from_template
from ..exports.queue_csv import queue_header, queue_rows
from ..exports.redaction import PART_LABELS, RECIPIENT_PARTS, Part
from ..models import CaseFile, IncidentReport
from ..selectors import get_report_for_user
from ..selectors.cases import get_case_file_for_user
from ..selectors.review import review_categories, review_centers
from ..services.exports import case_summary_export
from .review import ReviewFilterForm


def _exportable_case_file(request: HttpRequest, case_file_id: int) -> CaseFile:
    # Asked first, so who may not export learns nothing, not even of the password step.
    if not capabilities_of(request.user).exports_case_summaries:
        raise Http404("No such case file.")
    return get_case_file_for_user(request.user, case_file_id)


def _summary_url(request: HttpRequest, case_file_id: int, **_found) -> str:
    return reverse("cases:summary", kwargs={"case_file_id": case_file_id})


@require_http_methods(["GET", "POST"])
def case_summary_page(request: HttpRequest, case_file_id: int) -> HttpResponse:
    """The form (GET), and the PDF (POST). Asked for the password again when it was not given
    lately, before a PDF leaves (ASVS 3.7.1); the form page itself shows no record."""
    case_file = _exportable_case_file(request, case_file_id)
    return _case_summary(request, case_file_id, case_file=case_file)


@reauthenticated(form_page=_summary_url, on_get=False)
def _case_summary(request: HttpRequest, case_file_id: int, *, case_file: CaseFile):
    if request.method == "POST":
        form = CaseSummaryForm(request.POST)
        if form.is_valid():
            try:
                export = case_summary_export(
                    case_file=case_file, by=request.user, **form.cleaned_data
                )
            except DisclosureError as error:
                form.add_error(None, str(error))
            else:
                response = HttpResponse(export.pdf, content_type="application/pdf")
                response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
                return response
    else:
        kept = kept_form(request, request.path)
        form = CaseSummaryForm(initial=kept or {"language": get_language()})
    # What each recipient gets, from the one table (exports/redaction.py), for the page.
    table = [
        (
            PART_LABELS[part],
            [
                part in RECIPIENT_PARTS[kind]
                for kind, _label in form.fields["recipient_kind"].choices
            ],
        )
        for part in Part
    ]
    context = {"case_file": case_file, "form": form, "parts_table": table}
    status = 422 if form.errors else 200
    return render(request, "incidents/exports/case_summary_form.html", context, status=status)


def _printable_report(request: HttpRequest, reference: str) -> IncidentReport:
    report = get_report_for_user(request.user, reference)
    if not may_print_record_sheet(request.user, report):
        raise Http404("No such report.")
    return report


@require_GET
def record_sheet_page(request: HttpRequest, reference: str) -> HttpResponse:
    report = _printable_report(request, reference)
    return render(request, "incidents/exports/record_sheet.html", {"sheet": record_sheet(report)})


@require_GET
def record_sheet_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    report = _printable_report(request, reference)
    pdf = pdf_from_template("incidents/exports/record_sheet.html", {"sheet": record_sheet(report)})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="record-sheet-{reference}.pdf"'
    return response


@require_GET
def review_queue_csv(request: HttpRequest) -> HttpResponse:
    if not capabilities_of(request.user).exports_review_queue:
        raise Http404("No review queue.")
    return _confirmed_queue_csv(request)


# Many reports' candidates and narratives in one file: her password again when it was not
# given lately, as for every export of personal data (ASVS 3.7.1).
@reauthenticated
def _confirmed_queue_csv(request: HttpRequest) -> HttpResponse:
    # The queue page's own form reads the query string: the same filters, the same errors
    # ignored, the same rows.
    form = ReviewFilterForm(
        request.GET,
        centers=list(review_centers(request.user)),
        categories=list(review_categories()),
    )
    form.is_valid()
    stamp = formats.date_format(timezone.localtime(), "Ymd-His")
    return csv_response(
        queue_header(),
        queue_rows(request.user, form.filters()),
        filename=f"review-queue-{stamp}.csv",
    )

"""The audit view and its CSV export (legal and administrators), and the disclosure form
of the case file page (legal and managers). Nothing here changes or removes a line of the
trail: the view only reads, and the tables refuse it anyway."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.policy import capabilities_of
from accounts.reauth import reauthenticated
from harassment_portal.csv_export import csv_response
from incidents.selectors.cases import get_case_file_for_user
from incidents.views.cases import render_case_file

from .forms import DisclosureForm, TrailFilterForm
from .services import DisclosureError, disclosure_record
from .trail import Cursor, TrailLine, trail_lines, trail_page

PAGE_SIZE = 50


def _require_auditor(request: HttpRequest) -> None:
    if not capabilities_of(request.user).reads_audit_trail:
        raise Http404("No audit trail.")


@require_GET
def trail(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    form = TrailFilterForm(request.GET or None)
    after = Cursor.decode(request.GET.get("after"))
    page = trail_page(form.filters(), after=after, size=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "audit/trail.html",
        {
            "form": form,
            "lines": page.lines,
            "next_cursor": page.next_cursor.encode() if page.next_cursor else None,
            "deeper": after is not None,
            "filter_query": query.urlencode(),
        },
    )


def _csv_row(line: TrailLine) -> list[str]:
    changes = "; ".join(
        f"{change.field}: {change.before} → {change.after}"
        if change.shown
        else f"{change.field}: {_('changed')}"
        for change in line.changes
    )
    when = timezone.localtime(line.key.at)
    return [
        when.isoformat(timespec="seconds"),
        line.kind_label,
        line.action_label,
        line.staff_code,
        line.record,
        changes,
        line.detail,
    ]


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The filtered trail as CSV, streamed: UTF-8 with a byte-order mark (Excel in Japan
    reads it as Shift-JIS without one), staff named by their codes, formulas neutralised.
    Exporting asks for her password again when it was not given lately (accounts/reauth.py);
    who may not read the trail learns nothing of that step either."""
    _require_auditor(request)
    return _confirmed_export(request)


@reauthenticated
def _confirmed_export(request: HttpRequest) -> StreamingHttpResponse:
    filters = TrailFilterForm(request.GET or None).filters()
    header = [
        _("When"),
        _("Kind of record"),
        _("Action"),
        _("Staff code"),
        _("Record"),
        _("What changed"),
        _("Details"),
    ]
    rows = (_csv_row(line) for line in trail_lines(filters))
    stamp = formats.date_format(timezone.localtime(), "Ymd-His")
    return csv_response(header, rows, filename=f"audit-trail-{stamp}.csv")


@require_POST
def disclosure_new(request: HttpRequest, case_file_id: int) -> HttpResponse:
    # Who may not record disclosures gets the answer of a case file that does not exist.
    if not capabilities_of(request.user).records_disclosures:
        raise Http404("No case file.")
    case_file = get_case_file_for_user(request.user, case_file_id)
    form = DisclosureForm(request.POST)
    if form.is_valid():
        try:
            disclosure_record(case_file=case_file, by=request.user, **form.cleaned_data)
        except DisclosureError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The disclosure is recorded."))
            url = reverse("cases:detail", kwargs={"case_file_id": case_file.pk})
            return redirect(url + "#disclosures")
    return render_case_file(request, case_file, status=422, disclosure_form=form)

"""The dashboard (managers and legal: every center; supervisors: their own) and the CSV
export of each of its tables. Who has no dashboard gets the answer of a page that does not
exist, like an outsider."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.policy import capabilities_of
from accounts.reauth import reauthenticated
from harassment_portal.csv_export import csv_response
from harassment_portal.routers import reporting_reads

from .figures import TABLES, dashboard_table, dashboard_tables
from .forms import DashboardFilterForm
from .selectors import dashboard_centers


def _filter_form(request: HttpRequest) -> DashboardFilterForm:
    if not capabilities_of(request.user).sees_dashboard:
        raise Http404("No dashboard.")
    return DashboardFilterForm(request.GET or None, centers=dashboard_centers(request.user))


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    filters = form.filters()
    # The figures from the read replica if there is one: aggregate reads, a moment behind.
    with reporting_reads():
        tables = dashboard_tables(filters)
    query = request.GET.urlencode()
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "tables": tables,
            "charts": {table.slug: table.chart.as_json() for table in tables if table.chart},
            "filter_query": query,
        },
    )


@require_GET
def export(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the dashboard as CSV, with the page's filters (streamed, UTF-8 with a
    byte-order mark, formulas neutralised: harassment_portal/csv_export.py). Asks for her
    password again when it was not given lately, as every export does."""
    if table not in TABLES:
        raise Http404("No such table.")
    _filter_form(request)
    return _confirmed_export(request, table)


@reauthenticated
def _confirmed_export(request: HttpRequest, table: str) -> StreamingHttpResponse:
    filters = _filter_form(request).filters()
    with reporting_reads():
        figures = dashboard_table(table, filters)
    period = filters.period
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name = f"dashboard-{table}-{period.first:%Y%m}-{period.last:%Y%m}-{stamp}.csv"
    return csv_response(figures.header, figures.csv_rows, filename=name)

"""The reporter's notices: what happened to her reports since she last looked."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from harassment_portal.keyset import keyset_page

from ..selectors.notices import NOTICES_ORDER, notices_for
from ..services.notices import notices_mark_read

PAGE_SIZE = 25


def notice_list(request: HttpRequest) -> HttpResponse:
    """Newest first, the unread marked; each links to its report, and opening the report
    marks its notices read (views.reports.report_detail)."""
    # Paged by cursor along her notices' index: no count of every notice she ever had.
    page = keyset_page(
        notices_for(request.user),
        NOTICES_ORDER,
        per_page=PAGE_SIZE,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render(request, "incidents/notices.html", {"page": page})


@require_POST
def notices_read_all(request: HttpRequest) -> HttpResponse:
    if notices_mark_read(recipient=request.user):
        messages.success(request, _("All your notices are marked read."))
    return redirect("incidents:notices")

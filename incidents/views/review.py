"""The review queue of supervisors (their centers), managers and legal (every center)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from accounts.models import TestCenter
from policy.models import Category

from ..models import RECORD_STATUSES, ReportStatus
from ..selectors.review import (
    OPEN_WORK,
    SEVERITY_ORDER,
    ReviewFilters,
    Sort,
    may_review,
    queue_counts,
    queue_page,
    review_categories,
    review_centers,
)

PAGE_SIZE = 25

# Days a report can have been received on: the queue turns a day into the next day's start,
# which year 9999 does not have, and nothing was received before the portal's century.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)
DATE_BOUNDS = {"min": EARLIEST_DAY.isoformat(), "max": LATEST_DAY.isoformat()}
DATE_VALIDATORS = [MinValueValidator(EARLIEST_DAY), MaxValueValidator(LATEST_DAY)]

# The status filter's values besides the statuses themselves.
OPEN = "open"
ALL = "all"


class CountedPaginator(Paginator):
    """A paginator told how many rows there are, by a count the page already has: counting
    the list again would read the same rows a second time (the escalations inbox)."""

    def __init__(self, object_list, per_page: int, *, count: int):
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count


class ReviewFilterForm(forms.Form):
    """The queue's filters as the GET form sends them. A value that does not parse is shown
    with its error and left out of the filters; it never breaks the page."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("A reference, a candidate ID or words from the report."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (OPEN, _("Open work")),
            *[(status.value, status.label) for status in RECORD_STATUSES],
            (ALL, _("All")),
        ],
    )
    severity = forms.MultipleChoiceField(
        label=_("Severity"),
        required=False,
        choices=[(severity.value, severity.label) for severity in SEVERITY_ORDER],
        widget=forms.CheckboxSelectMultiple,
    )
    category = forms.ChoiceField(label=_("Behaviour"), required=False)
    center = forms.TypedChoiceField(
        label=_("Test center"), required=False, coerce=int, empty_value=None
    )
    submitted_from = forms.DateField(
        label=_("Received from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", **DATE_BOUNDS}, format="%Y-%m-%d"),
        validators=DATE_VALIDATORS,
    )
    submitted_to = forms.DateField(
        label=_("Received until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", **DATE_BOUNDS}, format="%Y-%m-%d"),
        validators=DATE_VALIDATORS,
    )
    candidate = forms.ChoiceField(
        label=_("Candidate"),
        required=False,
        choices=[
            ("", _("Any")),
            ("yes", _("With a candidate ID")),
            ("no", _("Without a candidate ID")),
        ],
    )
    support = forms.BooleanField(label=_("Only reporters asking for support"), required=False)
    borderline = forms.BooleanField(
        label=_("Only borderline reports (advice requested)"), required=False
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            (Sort.SEVERITY, _("Most severe, then longest waiting")),
            (Sort.OLDEST, _("Oldest first")),
            (Sort.NEWEST, _("Newest first")),
        ],
    )

    def __init__(self, data: QueryDict, *, centers: list[TestCenter], categories: list[Category]):
        # The defaults are put into the data, so that the form shows what the queue shows.
        data = data.copy()
        data.setdefault("status", OPEN)
        data.setdefault("sort", Sort.SEVERITY)
        super().__init__(data)
        self.fields["category"].choices = [
            ("", _("Any")),
            *[(category.code, category.name) for category in categories],
        ]
        self.fields["center"].choices = [
            ("", _("Any")),
            *[(center.pk, f"{center.code} {center.name}") for center in centers],
        ]
        if len(centers) < 2:
            del self.fields["center"]  # a supervisor of one center has nothing to choose

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and end < start:
            self.add_error("submitted_to", _("This date is before the “from” date."))
        return cleaned

    def filters(self) -> ReviewFilters:
        """The filters of the fields that are valid (call after ``is_valid()``)."""
        data = self.cleaned_data
        status = data.get("status") or OPEN
        statuses = {OPEN: OPEN_WORK, ALL: RECORD_STATUSES}.get(status, (status,))
        center = data.get("center")
        candidate = data.get("candidate")
        return ReviewFilters(
            statuses=tuple(statuses),
            severities=tuple(data.get("severity") or ()),
            category_codes=(data["category"],) if data.get("category") else (),
            center_ids=(center,) if center else (),
            submitted_from=data.get("submitted_from"),
            submitted_to=data.get("submitted_to"),
            with_candidate={"yes": True, "no": False}.get(candidate or ""),
            support_requested=True if data.get("support") else None,
            advice_requested=True if data.get("borderline") else None,
            text=data.get("q") or "",
            sort=data.get("sort") or Sort.SEVERITY,
        )

    @property
    def has_filters_beyond_search(self) -> bool:
        """Whether a filter of the collapsible panel is set (or wrong): the panel then opens."""
        panel = ("severity", "category", "center", "submitted_from", "submitted_to")
        panel += ("candidate", "support", "borderline")
        return any(self.data.get(name) for name in panel) or any(
            name in self.errors for name in panel
        )


def review_queue_page(request: HttpRequest) -> HttpResponse:
    if not may_review(request.user):
        raise Http404("No review queue.")
    # The choices are read once, here: the form and the page use these lists.
    form = ReviewFilterForm(
        request.GET,
        centers=list(review_centers(request.user)),
        categories=list(review_categories()),
    )
    form.is_valid()  # the errors are shown; the valid fields filter
    filters = form.filters()
    counts = queue_counts(request.user, filters)
    # Pages follow one another by cursor (harassment_portal.keyset): the 500th costs what the
    # first does, and a report arriving meanwhile shifts no row onto the next page.
    page = queue_page(
        request.user,
        filters=filters,
        per_page=PAGE_SIZE,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    now = timezone.now()
    for report in page.object_list:
        # How long the reporter has been waiting for someone to act, in its largest unit.
        closed = report.status == ReportStatus.CLOSED
        report.waiting = None if closed else timesince(report.submitted_at, now, depth=1)
    status = form.cleaned_data.get("status") or OPEN
    # A tab without a count (under a filter tested on each report, only the tab shown is
    # counted: see queue_counts) shows none.
    status_links = [
        (OPEN, _("Open work"), *counts.of(OPEN_WORK)),
        *[(value.value, value.label, *counts.of((value,))) for value in RECORD_STATUSES],
        (ALL, _("All"), *counts.of(RECORD_STATUSES)),
    ]
    context = {
        "form": form,
        "page": page,
        "status": status,
        "status_links": status_links,
        "is_filtered": _is_filtered(filters),
    }
    return render(request, "incidents/review_queue.html", context)


def _is_filtered(filters: ReviewFilters) -> bool:
    """Whether the queue shows less than all open work (for the empty state's wording)."""
    return filters != ReviewFilters(sort=filters.sort)

"""The review queue: the submitted reports that supervisors, managers and legal work on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from accounts.models import TestCenter, User
from policy.models import Category, Severity

from ..models import RECORD_STATUSES, IncidentReport, ReportCategory, ReportStatus
from ..search import ReportSearch, parse_search
from .access import may_review, reviewed_center_ids
from .reports import visible_reports

# may_review and reviewed_center_ids come from .access, where who reviews which centers is
# decided once for the queue, the triage services and the case files alike.
__all__ = [
    "OPEN_WORK",
    "SEVERITY_ORDER",
    "ReviewFilters",
    "Sort",
    "may_review",
    "review_categories",
    "review_centers",
    "review_queue",
    "status_counts",
]

# What still needs someone: the queue shows it unless asked for closed reports too.
OPEN_WORK = (ReportStatus.SUBMITTED, ReportStatus.UNDER_REVIEW)
# Most urgent first.
SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


class Sort:
    SEVERITY = "severity"  # most severe first, then the longest waiting
    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True)
class ReviewFilters:
    """What the queue is narrowed to; an empty tuple or None means "any"."""

    statuses: tuple[str, ...] = OPEN_WORK
    severities: tuple[str, ...] = ()
    category_codes: tuple[str, ...] = ()
    center_ids: tuple[int, ...] = ()
    # Days of submission, inclusive, in the portal's time zone (Asia/Tokyo).
    submitted_from: date | None = None
    submitted_to: date | None = None
    with_candidate: bool | None = None
    support_requested: bool | None = None
    advice_requested: bool | None = None
    text: str = ""
    sort: str = Sort.SEVERITY

    @cached_property
    def search(self) -> ReportSearch:
        """The search text, read once (it may look a candidate up) for the queue and its
        counts alike."""
        return parse_search(self.text)


def review_centers(user: User) -> QuerySet[TestCenter]:
    """The centers whose reports are in ``user``'s queue."""
    centers = reviewed_center_ids(user)
    everywhere = TestCenter.objects.order_by("code")
    return everywhere if centers is None else everywhere.filter(pk__in=centers)


def review_queue(user: User, *, filters: ReviewFilters) -> QuerySet[IncidentReport]:
    """The records ``user`` reviews, filtered, most severe and longest waiting first (or as
    ``filters.sort`` asks), with what a row of the queue shows loaded in two queries."""
    reports = _filtered(_records_to_review(user), filters).filter(status__in=filters.statuses)
    reports = reports.select_related("center").prefetch_related(
        Prefetch("categories", queryset=review_categories())
    )
    if filters.sort == Sort.NEWEST:
        return reports.order_by("-submitted_at", "-id")
    if filters.sort == Sort.OLDEST:
        return reports.order_by("submitted_at", "id")
    return reports.annotate(severity_rank=_severity_rank()).order_by(
        "severity_rank", "submitted_at", "id"
    )


def status_counts(user: User, filters: ReviewFilters) -> dict[str, int]:
    """How many of ``user``'s records each status has under ``filters`` (but whatever their
    status), in one query."""
    reports = _filtered(_records_to_review(user), filters)
    counts = reports.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in RECORD_STATUSES}
    )
    return {str(status): counts[status] for status in RECORD_STATUSES}


def review_categories() -> QuerySet[Category]:
    """Every behaviour a report may cite, retired ones too: old reports still name them."""
    return Category.objects.order_by("order", "code")


def _records_to_review(user: User) -> QuerySet[IncidentReport]:
    if not may_review(user):
        return IncidentReport.objects.none()
    reports = visible_reports(user).filter(status__in=RECORD_STATUSES)
    centers = reviewed_center_ids(user)
    if centers is not None:
        # visible_reports() also holds a supervisor's own reports as staff of another
        # center: they are hers to read, not hers to review.
        reports = reports.filter(center_id__in=centers)
    return reports


def _filtered(reports: QuerySet[IncidentReport], filters: ReviewFilters) -> QuerySet:
    """``reports`` narrowed by every filter but the status."""
    if filters.severities:
        reports = reports.filter(severity__in=filters.severities)
    if filters.category_codes:
        # EXISTS rather than a join, so that a report naming two of the categories
        # appears once.
        reports = reports.filter(
            Exists(
                ReportCategory.objects.filter(
                    report=OuterRef("pk"), category__code__in=filters.category_codes
                )
            )
        )
    if filters.center_ids:
        reports = reports.filter(center_id__in=filters.center_ids)
    if filters.submitted_from:
        reports = reports.filter(submitted_at__gte=_start_of(filters.submitted_from))
    if filters.submitted_to:
        reports = reports.filter(submitted_at__lt=_start_of(filters.submitted_to + timedelta(1)))
    if filters.with_candidate is not None:
        reports = reports.filter(candidate__isnull=not filters.with_candidate)
    if filters.support_requested is not None:
        reports = reports.filter(support_requested=filters.support_requested)
    if filters.advice_requested is not None:
        reports = reports.filter(advice_requested=filters.advice_requested)
    if filters.text:
        reports = filters.search.filter(reports)
    return reports


def _start_of(day: date) -> datetime:
    # The portal's time zone (settings.TIME_ZONE, Asia/Tokyo), whatever a request activated:
    # "reports of 3 March" means the Japanese day the centers work in.
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def _severity_rank() -> Case:
    return Case(
        *(
            When(severity=severity, then=Value(rank))
            for rank, severity in enumerate(SEVERITY_ORDER)
        ),
        default=Value(len(SEVERITY_ORDER)),
        output_field=IntegerField(),
    )

"""The review queue as CSV: the rows of the queue page under the same filters and scope
(selectors.review.review_queue), staff as their codes, the narrative only where the reader
reads the report in full (accounts.policy.report_reading). Rows are read in chunks from a
server-side cursor and written as they come: a queue of a million reports never sits in
memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.db import transaction
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.policy import ReportReading, report_reading
from harassment_portal.routers import reporting_database
from policy.models import Category, Severity

from ..models import RECORD_STATUSES, Channel, ReportStatus
from ..selectors.review import ReviewFilters, review_categories, review_queue

# Rows fetched per round trip of the server-side cursor. The first row waits for the whole
# first chunk, and at a million reports each row of it comes from a different page of the
# table: measured in-process on the bench's million, the first row took 38-41 ms with 500,
# 15-20 ms with 100 and 13 ms with 50. A round trip (well under a millisecond here) is
# small beside the ~100 ms a thousand rows cost to read and write, so 100 keeps the wait
# short without making the rest of a long download slower.
CHUNK_SIZE = 100


def queue_header() -> list[str]:
    return [
        _("Reference"),
        _("Received"),
        _("When it happened"),
        _("Test center"),
        _("Status"),
        _("Severity"),
        _("Behaviours"),
        _("Candidate ID"),
        _("Channel"),
        _("Reported by (staff code)"),
        _("Support requested"),
        _("Advice requested"),
        _("What happened"),
    ]


class _Row(NamedTuple):
    """A row as the database gives it: what the CSV shows, and what report_reading asks."""

    reference: str
    submitted_at: object
    occurred_at: object
    center_code: str
    status: str
    severity: str
    category_codes: list[str]
    candidate_id: str | None
    channel: str
    staff_code: str
    support_requested: bool
    advice_requested: bool
    narrative: str
    reporter_id: int
    center_id: int

    @property
    def is_record(self) -> bool:
        return self.status in _RECORD_STATUSES


_RECORD_STATUSES = frozenset(RECORD_STATUSES)


def queue_rows(user: User, filters: ReviewFilters) -> Iterator[list[str]]:
    """Each report of the queue under ``filters``, in its order, as a row. Tuples, not models:
    an export of a center's open work at a million reports is tens of thousands of rows, and
    a model instance with its center, reporter, candidate and a prefetch of its categories
    per chunk cost most of each row's time; the categories come as codes in the row's own
    query and are named from one read of the behaviours."""
    reports = (
        review_queue(user, filters=filters)
        .prefetch_related(None)
        .annotate(
            category_codes=ArraySubquery(
                review_categories().filter(reports=OuterRef("pk")).values("code")
            )
        )
        .values_list(
            "reference",
            "submitted_at",
            "occurred_at",
            "center__code",
            "status",
            "severity",
            "category_codes",
            "candidate__candidate_id",
            "channel",
            "reporter__staff_code",
            "support_requested",
            "advice_requested",
            "narrative",
            "reporter_id",
            "center_id",
        )
    )
    # In a transaction, so that the server-side cursor is not WITH HOLD: outside one
    # (autocommit), PostgreSQL computes and stores every row of the export before it returns
    # the first (0.8 s for a center's 25,000 open reports at a million); inside, it plans for
    # the first rows and sends them as it reads. Read-only: nothing is held but a snapshot.
    # On the database the rows are read from: the replica if there is one (csv_response).
    with transaction.atomic(using=reporting_database()):
        yield from _rows(user, reports.iterator(chunk_size=CHUNK_SIZE))


def _rows(user: User, reports: Iterator[tuple]) -> Iterator[list[str]]:
    behaviours = {category.code: category.name for category in Category.objects.all()}
    # Each label translated once, not on each row.
    statuses, severities, channels = (
        {value: str(label) for value, label in choices.choices}
        for choices in (ReportStatus, Severity, Channel)
    )
    tokyo = timezone.get_current_timezone()
    yes, no = _("Yes"), _("No")

    def when(value) -> str:
        return value.astimezone(tokyo).isoformat(timespec="minutes") if value else ""

    for values in reports:
        report = _Row(*values)
        full = report_reading(user, report) is ReportReading.FULL
        yield [
            report.reference,
            when(report.submitted_at),
            when(report.occurred_at),
            report.center_code,
            statuses.get(report.status, report.status),
            severities.get(report.severity, report.severity),
            " / ".join(behaviours.get(code, code) for code in report.category_codes),
            report.candidate_id or "",
            channels.get(report.channel, report.channel),
            report.staff_code,
            yes if report.support_requested else no,
            yes if report.advice_requested else no,
            report.narrative if full else "",
        ]

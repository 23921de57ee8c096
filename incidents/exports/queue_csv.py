"""The review queue as CSV: the rows of the queue page under the same filters and scope
(selectors.review.review_queue), staff as their codes, the narrative only where the reader
reads the report in full (accounts.policy.report_reading). Rows are read in chunks from a
server-side cursor and written as they come: a queue of a million reports never sits in
memory."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.policy import ReportReading, report_reading

from ..selectors.review import ReviewFilters, review_queue

# Rows fetched per round trip; the categories are prefetched per chunk.
CHUNK_SIZE = 500


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


def _when(value) -> str:
    return timezone.localtime(value).isoformat(timespec="minutes") if value else ""


def queue_rows(user: User, filters: ReviewFilters) -> Iterator[list[str]]:
    reports = review_queue(user, filters=filters).select_related("reporter", "candidate")
    yes, no = _("Yes"), _("No")
    for report in reports.iterator(chunk_size=CHUNK_SIZE):
        full = report_reading(user, report) is ReportReading.FULL
        yield [
            report.reference,
            _when(report.submitted_at),
            _when(report.occurred_at),
            report.center.code,
            report.get_status_display(),
            report.get_severity_display(),
            " / ".join(category.name for category in report.categories.all()),
            report.candidate.candidate_id if report.candidate_id else "",
            report.get_channel_display(),
            report.reporter.staff_code,
            yes if report.support_requested else no,
            yes if report.advice_requested else no,
            report.narrative if full else "",
        ]

"""Reports, drafts and evidence as each user may see them, by the capability policy
(accounts/policy.py): the reporter, the reviewers of its center, managers and legal read a
report in full; the staff-care contact of its center reads it as a support request, a
redacted object that holds no candidate, demand, narrative or evidence, so that no page can
show them by mistake."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import TestCenter, User
from accounts.policy import (
    ALL,
    ReportReading,
    capabilities_of,
    may_download_evidence,
    may_follow_up_support,
    report_reading,
)
from harassment_portal.keyset import Keyset
from policy.models import Category

from ..models import Attachment, IncidentReport, ReportStatus, SupportFollowUp, TimelineEvent

# Drafts (and withdrawn drafts) belong to their reporter alone.
NOT_YET_RECORDS = (ReportStatus.DRAFT, ReportStatus.WITHDRAWN)


def _in(centers) -> Q:
    return Q() if centers is ALL else Q(center_id__in=centers)


def full_reports(user: User) -> QuerySet[IncidentReport]:
    """The reports ``user`` reads in full: her own, and the submitted reports of the centers
    she reviews (every center for managers and legal)."""
    can = capabilities_of(user)
    if not can.signed_in_with_a_role:
        return IncidentReport.objects.none()
    scope = Q(reporter=user)
    if can.reviews:
        scope |= ~Q(status__in=NOT_YET_RECORDS) & _in(can.reviewed_center_ids)
    return IncidentReport.objects.filter(scope)


def visible_reports(user: User) -> QuerySet[IncidentReport]:
    """Every report ``user`` may open in some form: those she reads in full, and the support
    requests of the centers she cares for. Nobody else sees any."""
    can = capabilities_of(user)
    reports = full_reports(user)
    if can.cares_for_reporters:
        support = ~Q(status__in=NOT_YET_RECORDS) & Q(support_requested=True)
        reports = reports | IncidentReport.objects.filter(support & _in(can.cares_for_center_ids))
    return reports


def can_follow_up_support(user: User, report: IncidentReport) -> bool:
    return may_follow_up_support(user, report)


def get_report_for_user(user: User, reference: str) -> IncidentReport:
    """A submitted report by its reference, if ``user`` reads it in full; 404 alike for "no
    such report" and "not yours"."""
    report = (
        full_reports(user)
        .filter(reference=reference)
        .select_related("center", "reporter", "candidate", "policy_version")
        .prefetch_related(_categories(), "addenda__author", "addenda__attachments")
        .first()
    )
    if report is None or not report.is_record:
        raise Http404("No such report.")
    return report


@dataclass(frozen=True)
class SupportRequest:
    """A report as the staff-care contact reads it: who asked for support, when, where, the
    behaviours named, and the care given. Deliberately not the report: a template given the
    report could reach the candidate, the demand, the narrative and the evidence."""

    reference: str
    submitted_at: datetime
    center_code: str
    center_name: str
    categories: tuple[str, ...]
    reporter_name: str
    reporter_staff_code: str
    follow_ups: tuple[SupportFollowUp, ...]
    may_follow_up: bool


def get_report_page_for_user(user: User, reference: str) -> IncidentReport | SupportRequest:
    """The report page's subject: the report for those who read it in full, its support
    request for the staff-care contact; 404 for anyone else."""
    report = (
        visible_reports(user)
        .filter(reference=reference)
        .select_related("center", "reporter", "candidate", "policy_version")
        .prefetch_related(_categories(), "addenda__author", "addenda__attachments")
        .first()
    )
    reading = report_reading(user, report) if report is not None else ReportReading.NONE
    if reading is ReportReading.FULL and report.is_record:
        return report  # the row get_report_for_user would read: one query, not two
    if reading is ReportReading.SUPPORT:
        return SupportRequest(
            reference=report.reference,
            submitted_at=report.submitted_at,
            center_code=report.center.code,
            center_name=report.center.name,
            categories=tuple(category.name for category in report.categories.order_by("order")),
            reporter_name=report.reporter.display_name,
            reporter_staff_code=report.reporter.staff_code,
            follow_ups=tuple(report.support_follow_ups.select_related("by")),
            may_follow_up=may_follow_up_support(user, report),
        )
    raise Http404("No such report.")


def get_report_to_follow_up(user: User, reference: str) -> IncidentReport:
    """The report whose reporter ``user`` records care for (the service needs the row; the
    page gets the support request)."""
    report = visible_reports(user).filter(reference=reference).first()
    if report is None or not report.is_record or not may_follow_up_support(user, report):
        raise Http404("No such report.")
    return report


def submitted_from_draft(user: User, draft_id: uuid.UUID) -> IncidentReport | None:
    """The report ``user`` submitted from this draft, if she did: the draft's address then
    leads to the report (the browser's Back after submitting)."""
    report = IncidentReport.objects.filter(public_id=draft_id, reporter=user).first()
    return report if report is not None and report.is_record else None


def get_draft_for_user(user: User, draft_id: uuid.UUID) -> IncidentReport:
    report = (
        IncidentReport.objects.filter(public_id=draft_id, reporter=user, status=ReportStatus.DRAFT)
        .select_related("center")
        .prefetch_related(_categories(), "attachments")
        .first()
    )
    if report is None or not capabilities_of(user).signed_in_with_a_role:
        raise Http404("No such draft.")
    return report


# "My reports", newest first, as the list pages it (index report_reporter_recent).
MY_REPORTS_ORDER = Keyset(("created_at", "id"), descending=True)
# What a list of reports never shows: the text beyond the narrative (a draft's line quotes
# it), and the search tokens, an array of every character and pair of the text.
LIST_DEFERRED = ("demand", "exact_words", "staff_response", "injury_details", "witnesses")
LIST_DEFERRED += ("severity_reason", "search_tokens")


def my_reports(user: User, *, status: str | None = None) -> QuerySet[IncidentReport]:
    """The reports ``user`` filed, newest first (index ``report_reporter_recent``)."""
    reports = visible_reports(user).filter(reporter=user)
    if status:
        reports = reports.filter(status=status)
    return (
        reports.select_related("center")
        .defer(*LIST_DEFERRED)
        .prefetch_related(_categories())
        .order_by(*MY_REPORTS_ORDER.order_by())
    )


def visible_attachments(user: User) -> QuerySet[Attachment]:
    """Evidence of the reports ``user`` reads in full (a support request has none), whose
    file the retention period has not removed."""
    return Attachment.objects.filter(report__in=full_reports(user), removed_at=None)


def get_attachment_for_user(user: User, attachment_id: int) -> Attachment:
    attachment = visible_attachments(user).select_related("report").filter(pk=attachment_id).first()
    if attachment is None or not may_download_evidence(user, attachment.report):
        raise Http404("No such file.")
    return attachment


def report_timeline(report: IncidentReport) -> QuerySet[TimelineEvent]:
    return report.timeline.select_related("actor")


def reporting_centers(user: User) -> QuerySet[TestCenter]:
    """The active centers ``user`` may file a report for (none: she files no reports)."""
    centers = capabilities_of(user).reporting_center_ids
    return TestCenter.objects.filter(active=True, pk__in=centers)


def reportable_categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True)


def _categories() -> Prefetch:
    return Prefetch("categories", queryset=Category.objects.order_by("order", "code"))

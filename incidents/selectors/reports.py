"""Reports, drafts and evidence as each user may see them."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import Membership, Role, TestCenter, User
from accounts.selectors import access_of
from policy.models import Category

from ..models import Attachment, IncidentReport, ReportStatus, TimelineEvent

# Drafts (and withdrawn drafts) belong to their reporter alone.
NOT_YET_RECORDS = (ReportStatus.DRAFT, ReportStatus.WITHDRAWN)


def visible_reports(user: User) -> QuerySet[IncidentReport]:
    """Staff see their own reports; supervisors the submitted reports of their centers;
    managers and legal every submitted report. Nobody else sees any."""
    access = access_of(user)
    if not access.roles:
        return IncidentReport.objects.none()
    scope = Q(reporter=user)
    records = ~Q(status__in=NOT_YET_RECORDS)
    if access.has(Role.MANAGER, Role.LEGAL):
        scope |= records
    else:
        centers = access.center_ids(Role.SUPERVISOR)
        if centers:
            scope |= records & Q(center_id__in=centers)
        if access.has(Role.STAFF_CARE):
            scope |= records & Q(support_requested=True) & _care_centers(user)
    return IncidentReport.objects.filter(scope)


def _care_centers(user: User) -> Q:
    """A staff-care contact sees the reports whose reporter asked for support: of her centers,
    or of every center when her membership names none."""
    centers = set(
        Membership.objects.filter(user=user, role=Role.STAFF_CARE).values_list(
            "center_id", flat=True
        )
    )
    return Q() if None in centers else Q(center_id__in=centers)


def can_follow_up_support(user: User, report: IncidentReport) -> bool:
    """Her supervisors and the staff-care contact record the care given to a reporter."""
    access = access_of(user)
    return report.support_requested and (
        report.center_id in access.center_ids(Role.SUPERVISOR) or access.has(Role.STAFF_CARE)
    )


def get_report_for_user(user: User, reference: str) -> IncidentReport:
    """A submitted report by its reference, if ``user`` may see it; 404 alike for "no such
    report" and "not yours"."""
    report = (
        visible_reports(user)
        .filter(reference=reference)
        .select_related("center", "reporter", "candidate", "policy_version")
        .prefetch_related(_categories(), "addenda__author", "addenda__attachments")
        .first()
    )
    if report is None or not report.is_record:
        raise Http404("No such report.")
    return report


def get_draft_for_user(user: User, draft_id: uuid.UUID) -> IncidentReport:
    report = (
        IncidentReport.objects.filter(public_id=draft_id, reporter=user, status=ReportStatus.DRAFT)
        .select_related("center")
        .prefetch_related(_categories(), "attachments")
        .first()
    )
    if report is None or not access_of(user).roles:
        raise Http404("No such draft.")
    return report


def my_reports(user: User, *, status: str | None = None) -> QuerySet[IncidentReport]:
    """The reports ``user`` filed, newest first (index ``report_reporter_recent``)."""
    reports = visible_reports(user).filter(reporter=user)
    if status:
        reports = reports.filter(status=status)
    return (
        reports.select_related("center")
        .prefetch_related(_categories())
        .order_by("-created_at", "-id")
    )


def visible_attachments(user: User) -> QuerySet[Attachment]:
    return Attachment.objects.filter(report__in=visible_reports(user))


def get_attachment_for_user(user: User, attachment_id: int) -> Attachment:
    attachment = visible_attachments(user).select_related("report").filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such file.")
    return attachment


def report_timeline(report: IncidentReport) -> QuerySet[TimelineEvent]:
    return report.timeline.select_related("actor")


def reporting_centers(user: User) -> QuerySet[TestCenter]:
    """The centers a user may file a report for: their own, or every center for the roles
    that work everywhere."""
    access = access_of(user)
    centers = TestCenter.objects.filter(active=True)
    if access.sees_all_centers:
        return centers
    return centers.filter(pk__in=access.center_ids())


def reportable_categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True)


def _categories() -> Prefetch:
    return Prefetch("categories", queryset=Category.objects.order_by("order", "code"))

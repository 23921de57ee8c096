"""The capability policy (accounts/policy.py) turned into querysets: which reports and case
files a user reaches. The policy says which centers; these say which rows."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from accounts.policy import ALL, capabilities_of, may_approve, may_triage

from ..models import RECORD_STATUSES, CaseFile, IncidentReport

__all__ = [
    "can_triage",
    "records_to_review",
    "can_work_on_case_file",
    "full_report_scope",
    "may_approve",
    "may_review",
    "reviewed_center_ids",
    "visible_case_files",
]


def reviewed_center_ids(user: User):
    """The centers whose reports ``user`` reviews: ALL (None) or a set, maybe empty."""
    return capabilities_of(user).reviewed_center_ids


def may_review(user: User) -> bool:
    return capabilities_of(user).reviews


def records_to_review(user: User) -> QuerySet[IncidentReport]:
    """The records of the centers ``user`` reviews (every center for managers and legal): the
    rows of her review queue. They are the records of those centers among visible_reports(),
    asked for without its other clauses (her own drafts, the support requests she cares
    for): an OR across them would keep PostgreSQL from the queue's indexes."""
    centers = reviewed_center_ids(user)
    if not may_review(user) or (centers is not ALL and not centers):
        return IncidentReport.objects.none()
    records = IncidentReport.objects.filter(status__in=RECORD_STATUSES)
    return records if centers is ALL else records.filter(center_id__in=centers)


def can_triage(user: User, report: IncidentReport) -> bool:
    return may_triage(user, report)


def visible_case_files(user: User) -> QuerySet[CaseFile]:
    """Managers and legal see every case file; a supervisor sees a case file when the
    candidate has a submitted report in one of her centers (DESIGN.md §8)."""
    centers = reviewed_center_ids(user)
    case_files = CaseFile.objects.all()
    if centers is ALL:
        return case_files
    if not centers:
        return case_files.none()
    in_my_centers = IncidentReport.objects.filter(
        candidate_id=OuterRef("candidate_id"),
        center_id__in=centers,
        status__in=RECORD_STATUSES,
    )
    return case_files.filter(Exists(in_my_centers))


def can_work_on_case_file(user: User, case_file: CaseFile) -> bool:
    return visible_case_files(user).filter(pk=case_file.pk).exists()


def full_report_scope(user: User) -> Q:
    """The reports of a case file that ``user`` reads in full; the others are summary lines."""
    centers = reviewed_center_ids(user)
    return Q() if centers is ALL else Q(center_id__in=centers)

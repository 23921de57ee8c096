"""Who may act on reports and case files: the rules the services enforce and the pages use
to show or hide an action."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Role, User
from accounts.selectors import access_of

from ..models import RECORD_STATUSES, CaseFile, Decision, IncidentReport


def reviewed_center_ids(user: User) -> frozenset[int] | None:
    """The centers whose reports ``user`` reviews; None means every center (managers and
    legal); an empty set means none."""
    access = access_of(user)
    if access.has(Role.MANAGER, Role.LEGAL):
        return None
    return access.center_ids(Role.SUPERVISOR)


def may_review(user: User) -> bool:
    centers = reviewed_center_ids(user)
    return centers is None or bool(centers)


def can_triage(user: User, report: IncidentReport) -> bool:
    centers = reviewed_center_ids(user)
    return report.status in RECORD_STATUSES and (centers is None or report.center_id in centers)


def visible_case_files(user: User) -> QuerySet[CaseFile]:
    """Managers and legal see every case file; a supervisor sees a case file when the
    candidate has a submitted report in one of her centers (DESIGN.md §8)."""
    centers = reviewed_center_ids(user)
    case_files = CaseFile.objects.all()
    if centers is None:
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


def may_approve(user: User, decision: Decision) -> bool:
    """The two-person rule: a manager who did not propose it."""
    return (
        decision.needs_approval
        and access_of(user).has(Role.MANAGER)
        and decision.proposed_by_id != user.pk
    )


def full_report_scope(user: User) -> Q:
    """The reports of a case file that ``user`` reads in full; the others are summary lines."""
    centers = reviewed_center_ids(user)
    return Q() if centers is None else Q(center_id__in=centers)

"""Writes about case files that are not decisions: the access log and the status."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User

from ..models import CaseFile, CaseFileAccess, CaseFileStatus, EventKind, TimelineEvent
from ..selectors.access import can_work_on_case_file
from .decisions import DecisionError, bump_revision


def case_file_log_access(*, case_file: CaseFile, user: User, what: str = "case_file") -> None:
    """Every look at a case file is recorded (who, when): the log is for legal and admins."""
    CaseFileAccess.objects.create(case_file=case_file, user=user, what=what)


def case_file_set_status(
    *, case_file: CaseFile, by: User, status: str, expected_revision: int, note: str = ""
) -> CaseFile:
    if status not in CaseFileStatus.values:
        raise DecisionError(_("Unknown status."))
    with transaction.atomic():
        if not can_work_on_case_file(by, case_file):
            raise DecisionError(_("Only reviewers of this case file can change it."))
        bump_revision(case_file, expected_revision)
        CaseFile.objects.filter(pk=case_file.pk).update(status=status)
        TimelineEvent.objects.create(
            kind=EventKind.CASE_FILE_STATUS_CHANGED,
            case_file=case_file,
            actor=by,
            note=f"{CaseFileStatus(status).label}. {note}".strip(),
        )
    case_file.refresh_from_db()
    return case_file

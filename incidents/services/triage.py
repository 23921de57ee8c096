"""What reviewers do with a submitted report: move it through review, correct it, note,
ask the reporter, and link it to the right candidate."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from outbox.services import emails_send_on_commit
from policy.models import Category, Severity

from ..models import (
    CaseFile,
    EventKind,
    IncidentReport,
    InformationRequest,
    InternalNote,
    ReportCategory,
    ReportStatus,
)
from ..selectors.access import can_triage, can_work_on_case_file
from .cases import case_file_raise_risk
from .errors import ReportError
from .escalation import escalate_report, escalations_email
from .mail import information_request_email
from .reports import report_transition
from .timeline import record_event

__all__ = [
    "information_request",
    "note_add",
    "report_correct",
    "report_set_status",
]


def _locked_for_triage(report: IncidentReport, by: User) -> IncidentReport:
    report = IncidentReport.objects.select_for_update().get(pk=report.pk)
    if not can_triage(by, report):
        raise ReportError(_("Only the supervisors of this center, managers and legal can do this."))
    return report


def report_set_status(
    *, report: IncidentReport, by: User, status: str, note: str = ""
) -> IncidentReport:
    """Move a report along its review; closing needs a note saying how it ended."""
    if status not in ReportStatus.values:
        raise ReportError(_("Choose a status for the report."))
    with transaction.atomic():
        report = _locked_for_triage(report, by)
        fields = ("status", "updated_at")
        if status == ReportStatus.UNDER_REVIEW:
            # The dashboard's time to triage reads it (IncidentReport.triaged_at).
            report.triaged_at = timezone.now()
            fields += ("triaged_at",)
        report_transition(report, status, by=by, note=note, update_fields=fields)
    return report


def report_correct(
    *,
    report: IncidentReport,
    by: User,
    categories: Iterable[Category],
    severity: str,
    reason: str,
) -> IncidentReport:
    """Correct the behaviours or the severity of a submitted report, with the reason kept."""
    categories = list(categories)
    with transaction.atomic():
        report = _locked_for_triage(report, by)
        if not reason.strip():
            raise ReportError(_("Give the reason for the correction."))
        if not categories:
            raise ReportError(_("A report names at least one behaviour."))
        before_codes = sorted(report.categories.values_list("code", flat=True))
        after_codes = sorted(category.code for category in categories)
        if before_codes == after_codes and severity == report.severity:
            raise ReportError(_("Nothing was changed."))
        # What changed, as codes: each reader sees the behaviours and severities by their
        # names in her language; the note keeps only the reviewer's reason.
        details = {}
        if before_codes != after_codes:
            ReportCategory.objects.filter(report=report).delete()
            ReportCategory.objects.bulk_create(
                ReportCategory(report=report, category=category) for category in categories
            )
            details["categories"] = [before_codes, after_codes]
        if severity != report.severity:
            details["severity"] = [report.severity, severity]
            report.severity = Severity(severity)
            report.save(update_fields=["severity", "updated_at"])
        record_event(
            EventKind.REPORT_CORRECTED,
            actor=by,
            report=report,
            note=reason.strip(),
            details=details,
        )
        if report.candidate_id:
            case_file_raise_risk(report.candidate.case_file, report.severity)
        # A severity raised (or a behaviour added) at triage may cross a rule's threshold now.
        escalations_email(escalate_report(report=report, by=by))
    return report


def note_add(
    *,
    by: User,
    text: str,
    report: IncidentReport | None = None,
    case_file: CaseFile | None = None,
) -> InternalNote:
    """An internal note on a report or a case file; the reporter never sees it."""
    if not text.strip():
        raise ReportError(_("The note is empty."))
    with transaction.atomic():
        if report is not None:
            report = _locked_for_triage(report, by)
            case_file = report.case_file
        elif case_file is None or not can_work_on_case_file(by, case_file):
            raise ReportError(_("Only reviewers of this case file can add notes."))
        note = InternalNote.objects.create(
            report=report, case_file=case_file, author=by, text=text.strip()
        )
        record_event(EventKind.NOTE_ADDED, actor=by, report=report, case_file=case_file)
    return note


def information_request(*, report: IncidentReport, by: User, question: str) -> InformationRequest:
    """Ask the reporter for more detail: she sees it on her report and gets an e-mail."""
    if not question.strip():
        raise ReportError(_("Write the question for the reporter."))
    with transaction.atomic():
        report = _locked_for_triage(report, by)
        request = InformationRequest.objects.create(
            report=report, requested_by=by, question=question.strip()
        )
        record_event(EventKind.INFORMATION_REQUESTED, actor=by, report=report)
        emails_send_on_commit([information_request_email(request)])
    return request

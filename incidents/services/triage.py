"""What reviewers do with a submitted report: move it through review, correct it, note,
ask the reporter, and link it to the right candidate."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from outbox.services import emails_send_on_commit
from policy.models import Category, Severity

from ..models import (
    Candidate,
    CaseFile,
    CaseFileStatus,
    EventKind,
    IncidentReport,
    InformationRequest,
    InternalNote,
    ReportCategory,
    ReportStatus,
    TimelineEvent,
)
from ..selectors.access import can_triage, can_work_on_case_file
from .escalation import escalate_report, escalations_email
from .mail import information_request_email
from .reports import (
    ReportError,
    case_file_for_candidate_id,
    case_file_raise_risk,
    record_report_event,
)

# The review of a report moves one way (DESIGN.md §4).
REPORT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReportStatus.SUBMITTED: (ReportStatus.UNDER_REVIEW,),
    ReportStatus.UNDER_REVIEW: (ReportStatus.CLOSED,),
    ReportStatus.CLOSED: (),
}
TRANSITION_EVENTS = {
    ReportStatus.UNDER_REVIEW: EventKind.REPORT_UNDER_REVIEW,
    ReportStatus.CLOSED: EventKind.REPORT_CLOSED,
}


def _locked_for_triage(report: IncidentReport, by: User) -> IncidentReport:
    report = IncidentReport.objects.select_for_update().get(pk=report.pk)
    if not can_triage(by, report):
        raise ReportError(_("Only the supervisors of this center, managers and legal can do this."))
    return report


def report_set_status(
    *, report: IncidentReport, by: User, status: str, note: str = ""
) -> IncidentReport:
    """Move a report along its review; closing needs a note saying how it ended."""
    with transaction.atomic():
        report = _locked_for_triage(report, by)
        if status not in REPORT_TRANSITIONS.get(report.status, ()):
            raise ReportError(
                _("A report that is “%(current)s” cannot become “%(wanted)s”.")
                % {"current": report.get_status_display(), "wanted": ReportStatus(status).label}
            )
        if status == ReportStatus.CLOSED and not note.strip():
            raise ReportError(_("Say how the report was resolved before closing it."))
        report.status = status
        report.save(update_fields=["status", "updated_at"])
        record_report_event(report, TRANSITION_EVENTS[status], by, note.strip())
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
        summary = []
        if before_codes != after_codes:
            ReportCategory.objects.filter(report=report).delete()
            ReportCategory.objects.bulk_create(
                ReportCategory(report=report, category=category) for category in categories
            )
            summary.append(f"{', '.join(before_codes)} → {', '.join(after_codes)}")
        if severity != report.severity:
            summary.append(f"{report.severity} → {severity}")
            report.severity = Severity(severity)
            report.save(update_fields=["severity", "updated_at"])
        record_report_event(
            report, EventKind.REPORT_CORRECTED, by, f"{'; '.join(summary)}. {reason.strip()}"
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
        TimelineEvent.objects.create(
            kind=EventKind.NOTE_ADDED, report=report, case_file=case_file, actor=by
        )
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
        record_report_event(report, EventKind.INFORMATION_REQUESTED, by)
        emails_send_on_commit([information_request_email(request)])
    return request


def report_link_candidate(
    *, report: IncidentReport, by: User, candidate_id: str, reason: str
) -> IncidentReport:
    """Link a report to another candidate (the reporter mistyped the ID, or the caller was
    identified later). Both case files record the move."""
    if not reason.strip():
        raise ReportError(_("Give the reason for linking the report to another candidate."))
    with transaction.atomic():
        report = _locked_for_triage(report, by)
        previous = report.case_file
        case_file = case_file_for_candidate_id(candidate_id, by=by, report=report)
        if previous is not None and previous.pk == case_file.pk:
            raise ReportError(_("The report is already linked to this candidate."))
        report.candidate = case_file.candidate
        report.save(update_fields=["candidate", "updated_at"])
        before = previous.candidate.candidate_id if previous else "—"
        note = f"{before} → {candidate_id}. {reason.strip()}"
        for file in filter(None, (previous, case_file)):
            TimelineEvent.objects.create(
                kind=EventKind.REPORT_RELINKED, report=report, case_file=file, actor=by, note=note
            )
    return report


def candidates_merge(*, source: Candidate, target: Candidate, by: User, reason: str) -> Candidate:
    """Two candidate records are the same person: ``source`` joins ``target``. Its reports and
    decisions move to the target's case file; its record stays, pointing at the target, so
    that its old ID still finds the person (check-in) and the history keeps both."""
    if not reason.strip():
        raise ReportError(_("Give the reason for merging the two records."))
    with transaction.atomic():
        # Lock both case files in a fixed order, so that two merges cannot deadlock.
        files = list(
            CaseFile.objects.select_for_update()
            .filter(candidate__in=[source.pk, target.pk])
            .order_by("pk")
            .select_related("candidate")
        )
        by_candidate = {file.candidate_id: file for file in files}
        source_file, target_file = by_candidate.get(source.pk), by_candidate.get(target.pk)
        if source.pk == target.pk or source_file is None or target_file is None:
            raise ReportError(_("Choose two different candidate records."))
        if source_file.candidate.merged_into_id is not None:
            raise ReportError(_("This record was already merged into another one."))
        if not (can_work_on_case_file(by, source_file) and can_work_on_case_file(by, target_file)):
            raise ReportError(_("You can merge only case files you can work on."))
        IncidentReport.objects.filter(candidate=source).update(candidate=target)
        source_file.decisions.update(case_file=target_file)
        source = source_file.candidate
        target = target_file.candidate
        target.name = target.name or source.name
        target.contact = target.contact or source.contact
        target.save(update_fields=["name", "contact"])
        source.merged_into = target
        source.save(update_fields=["merged_into"])
        source_file.status = CaseFileStatus.CLOSED
        source_file.revision += 1
        source_file.save(update_fields=["status", "revision", "updated_at"])
        target_file.revision += 1
        if target_file.status == CaseFileStatus.CLOSED:
            target_file.status = CaseFileStatus.OPEN
        target_file.save(update_fields=["status", "revision", "updated_at"])
        note = f"{source.candidate_id} → {target.candidate_id}. {reason.strip()}"
        for file in (source_file, target_file):
            TimelineEvent.objects.create(
                kind=EventKind.CANDIDATES_MERGED, case_file=file, actor=by, note=note
            )
    return target

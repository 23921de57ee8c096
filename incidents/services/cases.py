"""Every write to a case file, and only here: open it (or reopen it) for a new report, raise
or recompute its risk, bump its revision, link a report to it, merge two candidates' files,
move its status, log who opened it. Each function runs in the caller's transaction or its
own, and records its timeline event in it."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Case, F, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from policy.models import Severity

from ..models import (
    RECORD_STATUSES,
    Candidate,
    CaseFile,
    CaseFileAccess,
    CaseFileStatus,
    Decision,
    EventKind,
    IncidentReport,
)
from ..models.candidates import CASE_FILE_TRANSITIONS
from ..models.logs import AccessKind
from ..selectors.access import can_triage, can_work_on_case_file
from .errors import CaseFileChanged, CaseFileError, ReportError
from .timeline import record_event

# The event each status is entered with. The reason for a reopening is in the event: the
# new report that reopened the file, or the reviewer's note.
STATUS_EVENTS = {
    CaseFileStatus.OPEN: EventKind.CASE_FILE_REOPENED,
    CaseFileStatus.UNDER_REVIEW: EventKind.CASE_FILE_UNDER_REVIEW,
    CaseFileStatus.CLOSED: EventKind.CASE_FILE_CLOSED,
}


def case_file_log_access(
    *, case_file: CaseFile, user: User, what: str = AccessKind.CASE_FILE
) -> None:
    """Every look at a case file is recorded (who, when): the log is for legal and admins."""
    CaseFileAccess.objects.create(case_file=case_file, user=user, what=what)


def case_file_bump_revision(case_file: CaseFile, *, expected_revision: int | None = None) -> None:
    """Every change to a case file bumps its revision, through here. With
    ``expected_revision`` (the revision the reviewer's page showed) it is optimistic locking
    in one statement: the row changes only if nobody changed it since, else CaseFileChanged."""
    rows = CaseFile.objects.filter(pk=case_file.pk)
    if expected_revision is not None:
        rows = rows.filter(revision=expected_revision)
    if not rows.update(revision=F("revision") + 1, updated_at=timezone.now()):
        raise CaseFileChanged()
    case_file.refresh_from_db(fields=["revision", "updated_at"])


def _case_file_move(
    case_file: CaseFile,
    to: str,
    *,
    by: User | None,
    note: str = "",
    report=None,
    details: dict | None = None,
) -> None:
    """The one place a case file's status changes: checks the move against
    CASE_FILE_TRANSITIONS, changes it and records its event. The caller bumps the revision."""
    if to not in CASE_FILE_TRANSITIONS[case_file.status]:
        raise CaseFileError(
            _("A case file that is “%(current)s” cannot become “%(wanted)s”.")
            % {"current": case_file.get_status_display(), "wanted": CaseFileStatus(to).label}
        )
    CaseFile.objects.filter(pk=case_file.pk).update(status=to)
    case_file.status = to
    record_event(
        STATUS_EVENTS[to],
        actor=by,
        case_file=case_file,
        report=report,
        note=note,
        details=details,
    )


def case_file_set_status(
    *, case_file: CaseFile, by: User, status: str, expected_revision: int, note: str = ""
) -> CaseFile:
    """A reviewer moves a case file along its workflow from its page. Closing it, or opening
    a closed one again, takes a note saying why. The move, its timeline event and the access
    log row are written together or not at all."""
    if status not in CaseFileStatus.values:
        raise CaseFileError(_("Choose a status for the case file."))
    note = note.strip()
    with transaction.atomic():
        # The row lock orders this change after any other in flight (a new report reopening
        # the file, a decision); the revision then says whether the page was stale.
        case_file = CaseFile.objects.select_for_update().get(pk=case_file.pk)
        if not can_work_on_case_file(by, case_file):
            raise CaseFileError(_("Only reviewers of this case file can change its status."))
        if case_file.revision != expected_revision:
            raise CaseFileChanged()
        if not note and CaseFileStatus.CLOSED in (status, case_file.status):
            raise CaseFileError(_("Say why before closing or reopening the case file."))
        _case_file_move(case_file, status, by=by, note=note)
        case_file_bump_revision(case_file, expected_revision=expected_revision)
        case_file_log_access(case_file=case_file, user=by, what=AccessKind.STATUS)
    return case_file


def case_file_for_candidate_id(
    candidate_id: str, *, by: User, report: IncidentReport | None = None
) -> CaseFile:
    """The case file of the candidate with this ID, both created on first use; a new report
    reopens a closed case file. Call inside a transaction: both rows come back locked."""
    # A candidate seen before (most reports): each row locked as it is read, the candidate
    # first as everywhere else, one query each.
    candidate = Candidate.objects.select_for_update().filter(candidate_id=candidate_id).first()
    if candidate is None:
        # get_or_create inserts inside a savepoint and, when a concurrent submission about the
        # same new candidate wins the unique index, reads that row instead: one candidate, no
        # error.
        candidate, _created = Candidate.objects.get_or_create(candidate_id=candidate_id)
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    case_file = CaseFile.objects.select_for_update().filter(candidate=candidate).first()
    created = case_file is None
    if created:
        case_file, created = CaseFile.objects.get_or_create(candidate=candidate)
        case_file = CaseFile.objects.select_for_update().get(pk=case_file.pk)
    case_file.candidate = candidate
    if created:
        record_event(EventKind.CASE_FILE_OPENED, actor=by, case_file=case_file)
    elif case_file.status == CaseFileStatus.CLOSED and report is not None:
        _case_file_move(case_file, CaseFileStatus.OPEN, by=by, report=report)
        case_file_bump_revision(case_file)
    return case_file


def case_file_raise_risk(case_file: CaseFile, severity: str) -> None:
    """A new or corrected report only ever raises its case file's risk (lowering it is a
    reviewer's decision, not an automatic one)."""
    lower = [level for level in Severity if level.rank < Severity(severity).rank]
    # One conditional statement: two reports raising the same file at once cannot leave
    # the lesser of their severities behind.
    if CaseFile.objects.filter(pk=case_file.pk, risk_level__in=lower).update(risk_level=severity):
        case_file.risk_level = severity
        case_file_bump_revision(case_file)


def case_file_recompute_risk(case_file: CaseFile) -> None:
    """The risk is the most severe of the file's records, after reports joined or left it
    (a link, a merge): the file they left may go down. Call with the case file locked, so
    that a report submitted meanwhile is counted (its submission waits for the lock)."""
    severities = (
        IncidentReport.objects.filter(
            candidate_id=case_file.candidate_id, status__in=RECORD_STATUSES
        )
        .values_list("severity", flat=True)
        .distinct()
    )
    risk = max(map(Severity, severities), key=lambda level: level.rank, default=Severity.LOW)
    if risk != case_file.risk_level:
        CaseFile.objects.filter(pk=case_file.pk).update(risk_level=risk)
        case_file.risk_level = risk
        case_file_bump_revision(case_file)


def case_file_take_report(case_file: CaseFile, report: IncidentReport) -> None:
    """A report just submitted joins the file that its submission locked (and read, so that
    what it holds is current): the risk rises to the report's severity if that is higher,
    with a new revision, and the summary of the case-file list takes the report in; one
    statement where raising the risk and counting the report made two to four."""
    changes = _summary_with(report)
    if Severity(case_file.risk_level).rank < Severity(report.severity).rank:
        # As case_file_bump_revision does, from the values read under the lock.
        case_file.risk_level = report.severity
        case_file.revision += 1
        case_file.updated_at = timezone.now()
        changes.update(
            risk_level=case_file.risk_level,
            revision=case_file.revision,
            updated_at=case_file.updated_at,
        )
    CaseFile.objects.filter(pk=case_file.pk).update(**changes)


def _summary_with(report: IncidentReport) -> dict:
    """The case-file list's summary (report count, last report, centers) taking in one more
    record, as expressions on the row's own values."""
    return {
        "report_count": F("report_count") + 1,
        "last_report_at": Greatest("last_report_at", Value(report.submitted_at)),
        "center_ids": Case(
            When(center_ids__contains=[report.center_id], then=F("center_ids")),
            default=Func(
                F("center_ids"),
                Value(report.center_id),
                function="array_append",
                output_field=CaseFile._meta.get_field("center_ids"),
            ),
        ),
    }


def case_files_summarise(case_file_ids: list[int] | None = None) -> None:
    """The summary of the case-file list computed again from the records, for these case
    files (or all of them): after reports left or joined a file other than by submission (a
    link, a merge), and after a bulk load. A file left without records keeps its last
    report's time."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE incidents_casefile AS file
            SET (report_count, last_report_at, center_ids) = (
                SELECT count(*),
                       coalesce(max(report.submitted_at), file.last_report_at),
                       coalesce(array_agg(DISTINCT report.center_id ORDER BY report.center_id),
                                '{}')
                FROM incidents_incidentreport AS report
                WHERE report.candidate_id = file.candidate_id
                  AND report.status = ANY(%(records)s)
            )
            WHERE %(ids)s::bigint[] IS NULL OR file.id = ANY(%(ids)s)
            """,
            {"records": list(RECORD_STATUSES), "ids": case_file_ids},
        )


def reports_set_decided_at(candidate_id: int) -> None:
    """The moment of the first decision at or after each record of a candidate was submitted
    (IncidentReport.decided_at, the dashboard's time to a decision), computed again after a
    decision on the candidate's case file, a report linked to it, or a merge into it: a few
    reports, through the report's candidate index. Only the reports whose moment changes are
    written (a report's row is costly to write: its search tokens are computed again)."""
    first = Subquery(
        Decision.objects.filter(
            case_file__candidate_id=candidate_id, proposed_at__gte=OuterRef("submitted_at")
        )
        .order_by("proposed_at")
        .values("proposed_at")[:1]
    )
    changed = (
        Q(decided_at__isnull=True, first__isnull=False)
        | Q(decided_at__isnull=False, first__isnull=True)
        | (Q(decided_at__isnull=False, first__isnull=False) & ~Q(decided_at=F("first")))
    )
    stale = (
        IncidentReport.objects.filter(candidate_id=candidate_id, status__in=RECORD_STATUSES)
        .annotate(first=first)
        .filter(changed)
    )
    IncidentReport.objects.filter(pk__in=stale.values("pk")).update(decided_at=first)


def case_file_link_report(
    *, report: IncidentReport, by: User, candidate_id: str, reason: str
) -> IncidentReport:
    """Link a report to another candidate (the reporter mistyped the ID, or the caller was
    identified later). Both case files record the move, and both risks are computed again."""
    if not reason.strip():
        raise ReportError(_("Give the reason for linking the report to another candidate."))
    with transaction.atomic():
        report = IncidentReport.objects.select_for_update().get(pk=report.pk)
        if not can_triage(by, report):
            raise ReportError(
                _("Only the supervisors of this center, managers and legal can do this.")
            )
        previous = report.case_file
        case_file = case_file_for_candidate_id(candidate_id, by=by, report=report)
        if previous is not None and previous.pk == case_file.pk:
            raise ReportError(_("The report is already linked to this candidate."))
        if previous is not None:
            previous = (
                CaseFile.objects.select_for_update().select_related("candidate").get(pk=previous.pk)
            )
        report.candidate = case_file.candidate
        report.save(update_fields=["candidate", "updated_at"])
        reports_set_decided_at(case_file.candidate_id)
        before = previous.candidate.candidate_id if previous else ""
        details = {"candidate": [before, candidate_id]}
        for file in filter(None, (previous, case_file)):
            record_event(
                EventKind.REPORT_RELINKED,
                actor=by,
                report=report,
                case_file=file,
                note=reason.strip(),
                details=details,
            )
            case_file_recompute_risk(file)
            case_file_bump_revision(file)
        case_files_summarise([file.pk for file in filter(None, (previous, case_file))])
    return report


def candidates_merge(*, source: Candidate, target: Candidate, by: User, reason: str) -> Candidate:
    """Two candidate records are the same person: ``source`` joins ``target``. Its reports and
    decisions move to the target's case file, which is open again if it was closed; the
    source's file is closed. Its record stays, pointing at the target, so that its old ID
    still finds the person (check-in) and the history keeps both."""
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
        reports_set_decided_at(target.pk)
        source = source_file.candidate
        target = target_file.candidate
        target.name = target.name or source.name
        target.contact = target.contact or source.contact
        target.save(update_fields=["name", "contact"])
        source.merged_into = target
        source.save(update_fields=["merged_into"])
        note = reason.strip()
        details = {"candidate": [source.candidate_id, target.candidate_id]}
        for file in (source_file, target_file):
            record_event(
                EventKind.CANDIDATES_MERGED, actor=by, case_file=file, note=note, details=details
            )
        if source_file.status != CaseFileStatus.CLOSED:
            _case_file_move(source_file, CaseFileStatus.CLOSED, by=by, note=note, details=details)
        if target_file.status == CaseFileStatus.CLOSED:
            _case_file_move(target_file, CaseFileStatus.OPEN, by=by, note=note, details=details)
        for file in (source_file, target_file):
            case_file_recompute_risk(file)
            case_file_bump_revision(file)
        case_files_summarise([source_file.pk, target_file.pk])
    return target

"""Writes to reports and what the reporter learnt of a candidate: one function per use case,
one transaction each, the timeline event written in the same transaction as the change it
records. The case file a submission opens or reopens is services.cases' to write."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from policy.models import Category, PolicyVersion, PolicyVersionStatus

from ..evidence import (
    EvidenceWrites,
    check_evidence_file,
    clean_original_name,
    sha256_of,
)
from ..models import (
    Addendum,
    Attachment,
    Candidate,
    EventKind,
    IncidentReport,
    ReportCategory,
    ReportStatus,
    SupportFollowUp,
)
from ..models.reports import REPORT_TRANSITIONS
from ..rules import submission_problems, suggest_severity
from .cases import case_file_for_candidate_id, case_file_take_report
from .errors import ReportError
from .escalation import escalate_report, escalations_email
from .timeline import record_event


class FormAlreadyUsed(ReportError):
    """A new-report form whose token already made a report that this post may not change (a
    withdrawn draft, someone else's): the form is to be shown again with a new token."""


class ReportIncomplete(ReportError):
    """A draft that cannot be submitted yet: ``problems`` maps each field to what is missing."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(_("The report is not complete yet."))
        self.problems = problems


# The fields a reporter fills in on a draft (everything else is set by the services).
DRAFT_FIELDS = (
    "center",
    "occurred_at",
    "channel",
    "location",
    "online_url",
    "exam",
    "candidate_id_entered",
    "candidate_name",
    "candidate_contact",
    "demand",
    "demand_legitimacy",
    "exact_words",
    "repetitions",
    "narrative",
    "staff_response",
    "duration_minutes",
    "injury",
    "injury_details",
    "police_called",
    "witnesses",
    "support_requested",
    "advice_requested",
    "severity",
    "severity_reason",
)


# What a submission sets on the draft it locked (the rest is as the draft was saved). Not the
# whole row: an UPDATE of the text would make PostgreSQL compute its search tokens again.
SUBMISSION_FIELDS = (
    "policy_version",
    "suggested_severity",
    "severity",
    "severity_reason",
    "candidate",
    "submitted_at",
    "status",
    "updated_at",
)


# The event each status is entered with. A withdrawn draft was never anyone's business
# but the reporter's: it has no event (its history keeps the change for auditors).
STATUS_EVENTS = {
    ReportStatus.SUBMITTED: EventKind.REPORT_SUBMITTED,
    ReportStatus.UNDER_REVIEW: EventKind.REPORT_UNDER_REVIEW,
    ReportStatus.CLOSED: EventKind.REPORT_CLOSED,
}


def report_transition(
    report: IncidentReport,
    to: str,
    *,
    by: User,
    note: str = "",
    update_fields: tuple[str, ...] | None = ("status", "updated_at"),
) -> None:
    """The one place a report's status changes: checks the move against REPORT_TRANSITIONS,
    saves it (with ``update_fields``; None saves every field, and none, ``()``, leaves the
    write to the caller, as Django's save() does) and records its event. Closing takes a
    note saying how the report was resolved. Who may make the move is the caller's to check,
    on the report it locked."""
    if to not in REPORT_TRANSITIONS.get(report.status, ()):
        raise ReportError(
            _("A report that is “%(current)s” cannot become “%(wanted)s”.")
            % {"current": report.get_status_display(), "wanted": ReportStatus(to).label}
        )
    note = note.strip()
    if to == ReportStatus.CLOSED and not note:
        raise ReportError(_("Say how the report was resolved before closing it."))
    report.status = to
    report.save(update_fields=update_fields)
    if to in STATUS_EVENTS:
        record_event(STATUS_EVENTS[to], actor=by, report=report, note=note)


def report_save_draft(
    *,
    reporter: User,
    form_token: uuid.UUID,
    values: dict,
    categories: Iterable[Category],
    report: IncidentReport | None = None,
) -> IncidentReport:
    """Create or update a draft with what the reporter typed. A second post of the same new
    form (``form_token``) updates the draft it created instead of making another, even when
    both arrive at once (two tabs, a retried request); a submitted report is returned as it
    is. A form token of a withdrawn draft or of someone else's report is refused
    (``FormAlreadyUsed``)."""
    with transaction.atomic():
        if report is None:
            # Most posts of a new form are its first: the draft is inserted at once, and the
            # form's report is looked for only when the unique index says it exists.
            has_center = values.get("center") is not None
            created = (
                _create_draft(reporter, form_token, values, categories) if has_center else None
            )
            if created is not None:
                return created
            # The form was posted before (a second tab, a retried request, the back button),
            # or by a concurrent post that inserted it first and has committed (the unique
            # index made this insert wait for it): carry on as a re-post.
            report = (
                IncidentReport.objects.select_for_update().filter(form_token=form_token).first()
            )
            if report is None:
                # The form leaves out a center she does not report for (a tampered post, or
                # her membership ended while she typed): a draft needs one.
                raise ReportError(_("Choose the test center of the report."))
            if report.reporter_id != reporter.pk or report.status == ReportStatus.WITHDRAWN:
                raise FormAlreadyUsed(
                    _("This form was already used. What you typed is below: save it again.")
                )
        else:
            report = IncidentReport.objects.select_for_update().get(pk=report.pk)
            if report.reporter_id != reporter.pk:
                raise ReportError(_("Only the reporter can edit a draft."))
        if report.status == ReportStatus.WITHDRAWN:
            raise ReportError(_("This draft was withdrawn: start a new report."))
        if not report.is_draft:
            return report  # already submitted (a re-posted form): nothing to change
        _fill_draft(report, values, categories)
    return report


def _create_draft(
    reporter: User, form_token: uuid.UUID, values: dict, categories: Iterable[Category]
) -> IncidentReport | None:
    """A new draft of the form ``form_token``; None if a report of that form exists (an
    earlier or a concurrent post of it). The savepoint keeps the transaction usable after the
    unique index refused the insert."""
    report = IncidentReport(reporter=reporter, form_token=form_token)
    try:
        with transaction.atomic():
            _fill_draft(report, values, categories)
    except IntegrityError:
        if not IncidentReport.objects.filter(form_token=form_token).exists():
            raise  # another constraint: not a race of two posts
        return None
    return report


def _fill_draft(report: IncidentReport, values: dict, categories: Iterable[Category]) -> None:
    categories = list(categories)
    for field in DRAFT_FIELDS:
        if field in values:
            setattr(report, field, values[field])
    report.suggested_severity = suggest_severity(
        categories, injury=report.injury, police_called=report.police_called
    )
    created = report.pk is None
    report.save()
    _set_categories(report, categories, created=created)


def _set_categories(
    report: IncidentReport, categories: Iterable[Category], *, created: bool = False
) -> None:
    wanted = {category.pk for category in categories}
    # A draft just inserted has none yet: nothing to read.
    current = (
        set()
        if created
        else set(ReportCategory.objects.filter(report=report).values_list("category_id", flat=True))
    )
    if current - wanted:
        ReportCategory.objects.filter(report=report, category_id__in=current - wanted).delete()
    ReportCategory.objects.bulk_create(
        ReportCategory(report=report, category_id=pk) for pk in wanted - current
    )


def report_withdraw_draft(*, report: IncidentReport, by: User) -> IncidentReport:
    with transaction.atomic():
        report = IncidentReport.objects.select_for_update().get(pk=report.pk)
        if report.reporter_id != by.pk or not report.is_draft:
            raise ReportError(_("Only a draft can be withdrawn, and only by its reporter."))
        report_transition(report, ReportStatus.WITHDRAWN, by=by)
    return report


def report_discard_draft(*, report: IncidentReport, by: User) -> IncidentReport:
    """The reporter throws a draft away: its evidence files go (through the removal that
    deletes each file once the transaction commits) and the draft is withdrawn, so that it
    leaves "My reports" and its form can no longer be posted into a new draft."""
    with transaction.atomic():
        report = IncidentReport.objects.select_for_update().get(pk=report.pk)
        if report.reporter_id != by.pk or not report.is_draft:
            raise ReportError(_("Only a draft can be discarded, and only by its reporter."))
        for attachment in report.attachments.all():
            report_remove_draft_evidence(attachment=attachment, by=by)
        report_transition(report, ReportStatus.WITHDRAWN, by=by)
    return report


def report_submit(
    *,
    report: IncidentReport,
    by: User,
    saved_with: Iterable[Category] | None = None,
) -> IncidentReport:
    """Turn a draft into a record, in one transaction: the reference number, the policy
    version in force, the severity, the candidate and case file, and a timeline event.
    ``saved_with``: the categories report_save_draft saved the draft with earlier in the
    caller's transaction (the new-report form's one-step submission): its row is locked
    already and ``report`` is as saved, so neither is read again.

    Idempotent: submitting a report that is already submitted returns it unchanged, so a
    double click or a re-posted form creates one report."""
    with transaction.atomic():
        if saved_with is None:
            # The row lock makes a concurrent second submission wait, then see "submitted".
            # Its center is for the e-mails of the escalations (its row is not locked).
            report = (
                IncidentReport.objects.select_for_update(of=("self",))
                .select_related("center")
                .get(pk=report.pk)
            )
        if report.is_record:
            return report
        if report.reporter_id != by.pk or not report.is_draft:
            raise ReportError(_("Only a draft can be submitted, and only by its reporter."))
        categories = list(report.categories.all() if saved_with is None else saved_with)
        problems = submission_problems(report, categories)
        if problems:
            raise ReportIncomplete(problems)
        policy = next(iter(PolicyVersion.objects.raw(*_published_policy_sql())), None)
        if policy is None:
            raise ReportError(_("No policy is published: ask an administrator."))

        now = timezone.now()
        report.policy_version = policy
        report.suggested_severity = suggest_severity(
            categories, injury=report.injury, police_called=report.police_called
        )
        # submission_problems() refused a severity below the suggestion; none means "as
        # suggested", and a reason is kept only for a raised one.
        report.severity = report.severity or report.suggested_severity
        if report.severity == report.suggested_severity:
            report.severity_reason = ""
        if report.candidate_id_entered:
            report.candidate = _candidate_for(report, by)
        report.submitted_at = now
        # A record from here on, its event recorded; its row is written once, below, with
        # its number (two writes of it made two row versions through its two dozen indexes,
        # its history and the dashboard's triggers).
        report_transition(report, ReportStatus.SUBMITTED, by=by, update_fields=())
        if report.candidate_id:
            # Its risk and the case-file list's summary, on the file locked above.
            case_file_take_report(report.candidate.case_file, report)
        # In this transaction: a report that is saved has escalated, or neither happened.
        # The rules read the report as submitted (a repeat rule counts the candidate's
        # records and this one, not yet written); none of them needs the reference. Their
        # e-mails do: they are written after it, below.
        escalations = escalate_report(
            report=report, by=by, categories=categories, submitted_now=True
        )
        # Last, so that the counter's row lock, which every other submission of the year
        # waits for, is held only from here to the commit: everything heavy (the rules, the
        # escalations) is done. The write leaves the text as it was, so PostgreSQL does not
        # compute its search tokens again. The trigger record_has_reference checks at
        # commit that the record has its number.
        report.reference = _allocate_reference(timezone.localdate(now).year)
        report.save(update_fields=(*SUBMISSION_FIELDS, "reference"))
        escalations_email(escalations)
    return report


@functools.cache
def _published_policy_sql() -> tuple[str, tuple]:
    """Django's SQL of the policy version in force, compiled once per process (building the
    queryset cost three times what running it does, in every submission); read afresh each
    time."""
    published = PolicyVersion.objects.filter(status=PolicyVersionStatus.PUBLISHED)
    return published.order_by("pk")[:1].query.sql_with_params()


def _allocate_reference(year: int) -> str:
    # One statement that inserts the year's counter or increments it, under the row lock
    # PostgreSQL takes for the upsert: concurrent submissions queue on it and each gets the
    # next number; a rolled-back submission rolls its increment back too, leaving no gap.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO incidents_referencecounter (year, last_number) VALUES (%s, 1)
            ON CONFLICT (year)
            DO UPDATE SET last_number = incidents_referencecounter.last_number + 1
            RETURNING last_number
            """,
            [year],
        )
        (number,) = cursor.fetchone()
    return f"CH-{year}-{number:06d}"


def _candidate_for(report: IncidentReport, by: User) -> Candidate:
    """The candidate with the entered ID, with what the reporter learnt of them."""
    case_file = case_file_for_candidate_id(report.candidate_id_entered, by=by, report=report)
    candidate = case_file.candidate
    changed = []
    if report.candidate_name and not candidate.name:
        candidate.name = report.candidate_name
        changed.append("name")
    if report.candidate_contact and not candidate.contact:
        candidate.contact = report.candidate_contact
        changed.append("contact")
    if changed:
        candidate.save(update_fields=changed)
    return candidate


@dataclass(frozen=True)
class EvidenceRejection:
    name: str
    message: str


def report_attach_evidence(
    *,
    report: IncidentReport,
    files: Iterable[UploadedFile],
    by: User,
    addendum: Addendum | None = None,
) -> tuple[list[Attachment], list[EvidenceRejection]]:
    """Store each acceptable file as evidence of ``report``; say why each other one was
    refused. Files are checked one by one: one bad file never loses the good ones."""
    stored: list[Attachment] = []
    rejected: list[EvidenceRejection] = []
    max_bytes = settings.EVIDENCE_MAX_MB * 1024 * 1024
    # Each file is written before its row; if the transaction fails, the files written go
    # too, so no evidence file stays on disk without its row.
    with EvidenceWrites() as written, transaction.atomic():
        report = IncidentReport.objects.select_for_update().get(pk=report.pk)
        if report.reporter_id != by.pk or not (report.is_draft or addendum is not None):
            raise ReportError(_("Evidence is added to a draft, or with an addendum."))
        room = settings.EVIDENCE_MAX_FILES - report.attachments.count()
        for uploaded in files:
            shown_name = _displayable_name(uploaded.name)
            if room <= 0:
                rejected.append(
                    EvidenceRejection(
                        shown_name,
                        _("A report takes at most %(count)d files.")
                        % {"count": settings.EVIDENCE_MAX_FILES},
                    )
                )
                continue
            try:
                evidence_type = check_evidence_file(uploaded, max_bytes=max_bytes)
            except ValidationError as error:
                rejected.append(EvidenceRejection(shown_name, " ".join(error.messages)))
                continue
            attachment = Attachment(
                report=report,
                addendum=addendum,
                original_name=clean_original_name(uploaded.name),
                extension=evidence_type.extension,
                content_type=evidence_type.content_type,
                kind=evidence_type.kind,
                size=uploaded.size,
                sha256=sha256_of(uploaded),
                uploaded_by=by,
                uploaded_at=timezone.now(),
            )
            attachment.file.save("evidence", uploaded, save=False)
            written.add(attachment.file.name)
            attachment.save()
            stored.append(attachment)
            room -= 1
        written.commit_attempted = True  # what fails from here on is the commit itself
    return stored, rejected


def _displayable_name(name: str) -> str:
    try:
        return clean_original_name(name)
    except ValidationError:
        return _("(a file with an unusable name)")


def report_remove_draft_evidence(*, attachment: Attachment, by: User) -> None:
    with transaction.atomic():
        report = IncidentReport.objects.select_for_update().get(pk=attachment.report_id)
        if report.reporter_id != by.pk or not report.is_draft:
            raise ReportError(_("Evidence can be removed only from your own draft."))
        stored_name = attachment.file.name
        attachment.delete()
        storage = attachment.file.storage
        # The file goes only once the row's deletion is committed. Should deleting it fail,
        # the removal stands (robust: logged, not raised); evidence_orphans lists the file.
        transaction.on_commit(lambda: storage.delete(stored_name), robust=True)


def report_add_addendum(
    *, report: IncidentReport, by: User, text: str, files: Iterable[UploadedFile] = ()
) -> tuple[Addendum, list[EvidenceRejection]]:
    """Something the reporter adds after submitting: the report itself never changes."""
    # The evidence is stored in this transaction: if anything after it fails, its files go.
    with EvidenceWrites() as written, transaction.atomic():
        report = IncidentReport.objects.select_for_update().get(pk=report.pk)
        if report.reporter_id != by.pk or not report.is_record:
            raise ReportError(_("Only the reporter can add to a submitted report."))
        addendum = Addendum.objects.create(report=report, author=by, text=text)
        stored, rejected = report_attach_evidence(
            report=report, files=files, by=by, addendum=addendum
        )
        for attachment in stored:
            written.add(attachment.file.name)
        record_event(EventKind.ADDENDUM_ADDED, actor=by, report=report)
        # An addendum is how the reporter answers a reviewer's question: every question
        # still open, however many (the report's row lock keeps a concurrent addendum out).
        answered = report.information_requests.filter(answer=None).update(
            answer=addendum, answered_at=timezone.now()
        )
        if answered:
            record_event(EventKind.INFORMATION_ANSWERED, actor=by, report=report)
        written.commit_attempted = True
    return addendum, rejected


def support_follow_up_add(*, report: IncidentReport, by: User, note: str) -> SupportFollowUp:
    """The care given to a reporter who asked for support (who may record it is checked by
    the caller with selectors.can_follow_up_support)."""
    if not note.strip():
        raise ReportError(_("Write what was done for the reporter."))
    with transaction.atomic():
        follow_up = SupportFollowUp.objects.create(report=report, by=by, note=note.strip())
        record_event(EventKind.SUPPORT_FOLLOW_UP, actor=by, report=report)
    return follow_up

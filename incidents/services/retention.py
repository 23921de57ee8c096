"""The retention period and the legal hold (APPI: personal data is deleted once no longer
needed; DESIGN.md §8).

Past RETENTION_CASE_FILE_YEARS after its case file closed, a candidate's name and contact are
blanked (on their record, the records merged into it and the reports that typed them, in the
change history too) and the evidence files of their reports are deleted from storage; the
evidence rows stay with their SHA-256 digest and a "removed at" marker (chain of custody). A
legal hold on the case file stops it. Drafts never submitted go after RETENTION_DRAFT_DAYS,
with their files and their history. Every step writes a RetentionAction row (append-only),
and a case file gets a timeline event, in the same transaction as what it records.

Run by Celery beat each night and by ``manage.py retention``; safe to run again at any time
and on several workers at once (each case file or draft is locked with SKIP LOCKED, in its
own transaction, and what is done is no longer due).
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

import pghistory
import pgtrigger
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.policy import capabilities_of

from ..models import (
    Addendum,
    Attachment,
    Candidate,
    CaseFile,
    EventKind,
    IncidentReport,
    InternalNote,
    RetentionAction,
    RetentionActionKind,
    TimelineEvent,
)
from ..models.reports import REPORT_TEXT_FIELDS
from ..selectors.retention import case_files_due, drafts_due
from .errors import CaseFileError
from .timeline import record_event

logger = logging.getLogger(__name__)

# The change history is append-only (PGHISTORY_APPEND_ONLY). Deleting personal data is the
# one exception the law makes: these triggers are let through for this transaction only,
# and only for the columns and rows below.
HISTORY_TRIGGERS = (
    "incidents.CandidateEvent:append_only",
    "incidents.IncidentReportEvent:append_only",
    "incidents.ReportCategoryEvent:append_only",
    "incidents.AttachmentEvent:append_only",
    "incidents.AddendumEvent:append_only",
    "incidents.InternalNoteEvent:append_only",
    "incidents.DecisionEvent:append_only",
    "incidents.TimelineEvent:timeline_event_append_only",
)

# What a candidate's name or contact becomes where staff typed it into free text. Three
# characters: only a term at least as long is replaced, so no text grows past its limit.
REDACTED = "[…]"
# The free text that may name the candidate: each model's fields (the history tables hold the
# same columns).
REPORT_TEXT = (*REPORT_TEXT_FIELDS, "location")
DECISION_TEXT = ("rationale", "indefinite_reason", "decision_reason")


def _history(model_name: str):
    return apps.get_model("incidents", f"{model_name}Event")


@dataclass
class RetentionResult:
    case_files: int = 0
    evidence_files: int = 0
    drafts: int = 0

    def as_dict(self) -> dict:
        return {
            "case_files": self.case_files,
            "evidence_files": self.evidence_files,
            "drafts": self.drafts,
        }


def retention_apply(*, now: datetime | None = None, batch_size: int | None = None) -> dict:
    """Anonymise every case file and purge every draft that is due now, in batches of
    ``batch_size`` (RETENTION_BATCH_SIZE), one transaction each. Returns the counts."""
    now = now or timezone.now()
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    run = uuid.uuid4()
    result = RetentionResult()
    # Every history row written by the run says so, for the audit view.
    with pghistory.context(retention_run=str(run)):
        for case_file_id in _batches(case_files_due(now), batch_size):
            removed = _case_file_anonymise(case_file_id, run=run, now=now)
            if removed is not None:
                result.case_files += 1
                result.evidence_files += removed
        for draft_id in _batches(drafts_due(now), batch_size):
            removed = _draft_purge(draft_id, run=run, now=now)
            if removed is not None:
                result.drafts += 1
                result.evidence_files += removed
    if result.case_files or result.drafts:
        logger.info("Retention run %s: %s", run, result.as_dict())
    return result.as_dict()


def _batches(due, batch_size: int):
    """The ids of ``due``, a batch at a time, each id once: an id another worker holds
    (skipped) or that stopped being due is not asked for again in this run."""
    seen: set[int] = set()
    while True:
        ids = list(
            due.exclude(pk__in=seen).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return
        seen.update(ids)
        yield from ids


def _case_file_anonymise(case_file_id: int, *, run: uuid.UUID, now: datetime) -> int | None:
    """One case file's candidate anonymised and evidence removed, or None if it is no longer
    due (a hold was set, it was reopened) or another worker has it."""
    with transaction.atomic():
        # The lock serialises with case_file_set_legal_hold: a hold set a moment ago is seen
        # here (the row is read again, due or not, under the lock).
        case_file = (
            case_files_due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("candidate")
            .filter(pk=case_file_id)
            .first()
        )
        if case_file is None:
            return None
        candidate = case_file.candidate
        candidate_ids = [candidate.pk, *candidate.merged.values_list("pk", flat=True)]
        report_ids = list(
            IncidentReport.objects.filter(candidate_id__in=candidate_ids).values_list(
                "pk", flat=True
            )
        )
        terms = _personal_terms(candidate_ids, report_ids)
        _free_text_redact(case_file, report_ids, terms)
        Candidate.objects.filter(pk__in=candidate_ids).update(
            name="", contact="", anonymised_at=now
        )
        IncidentReport.objects.filter(pk__in=report_ids).update(
            candidate_name="", candidate_contact=""
        )
        removed = _evidence_remove(
            Attachment.objects.filter(report_id__in=report_ids, removed_at=None),
            run=run,
            now=now,
            case_file=case_file,
        )
        with pgtrigger.ignore(*HISTORY_TRIGGERS):
            _history("Candidate").objects.filter(pgh_obj_id__in=candidate_ids).update(
                name="", contact=""
            )
            _history("IncidentReport").objects.filter(pgh_obj_id__in=report_ids).update(
                candidate_name="", candidate_contact=""
            )
        RetentionAction.objects.create(
            run=run,
            kind=RetentionActionKind.CANDIDATE_ANONYMISED,
            case_file=case_file,
            details={
                "candidates": len(candidate_ids),
                "reports": len(report_ids),
                "evidence_files": removed,
            },
        )
        record_event(EventKind.PERSONAL_DATA_REMOVED, actor=None, case_file=case_file)
    return removed


def _personal_terms(candidate_ids: list[int], report_ids: list[int]) -> list[str]:
    """The candidate's names and contacts as recorded and as typed on each report (a name
    also without its spaces: 山田太郎 for 山田 太郎), longest first so that a full name goes
    whole before a shorter term could match inside it."""
    values = set()
    for name, contact in Candidate.objects.filter(pk__in=candidate_ids).values_list(
        "name", "contact"
    ):
        values |= {name, contact}
    for name, contact in IncidentReport.objects.filter(pk__in=report_ids).values_list(
        "candidate_name", "candidate_contact"
    ):
        values |= {name, contact}
    terms = set()
    for value in values:
        for term in (value.strip(), re.sub(r"\s+", "", value)):
            if len(term) >= len(REDACTED):
                terms.add(term)
    return sorted(terms, key=len, reverse=True)


def _scrub(rows: QuerySet, fields: tuple[str, ...], terms: list[str]) -> None:
    """Replace every term in ``fields`` of the ``rows`` that mention one, in one UPDATE."""
    mentions = Q()
    for field in fields:
        for term in terms:
            mentions |= Q(**{f"{field}__contains": term})
    redacted = {}
    for field in fields:
        expression = F(field)
        for term in terms:
            expression = Replace(expression, Value(term), Value(REDACTED))
        redacted[field] = expression
    rows.filter(mentions).update(**redacted)


def _free_text_redact(case_file: CaseFile, report_ids: list[int], terms: list[str]) -> None:
    """The candidate's name and contact where staff typed them into the reports, their
    addenda, the notes, the decisions and the timeline, and the history's copies of them.
    What happened stays on record; who it was does not."""
    if not terms:
        return
    on_file = Q(report_id__in=report_ids) | Q(case_file=case_file)
    _scrub(IncidentReport.objects.filter(pk__in=report_ids), REPORT_TEXT, terms)
    _scrub(Addendum.objects.filter(report_id__in=report_ids), ("text",), terms)
    _scrub(InternalNote.objects.filter(on_file), ("text",), terms)
    _scrub(case_file.decisions.all(), DECISION_TEXT, terms)
    with pgtrigger.ignore(*HISTORY_TRIGGERS):
        _scrub(TimelineEvent.objects.filter(on_file), ("note",), terms)
        report_history = _history("IncidentReport").objects.filter(pgh_obj_id__in=report_ids)
        _scrub(report_history, REPORT_TEXT, terms)
        addendum_history = _history("Addendum").objects.filter(report_id__in=report_ids)
        _scrub(addendum_history, ("text",), terms)
        _scrub(_history("InternalNote").objects.filter(on_file), ("text",), terms)
        decision_history = _history("Decision").objects.filter(case_file=case_file)
        _scrub(decision_history, DECISION_TEXT, terms)


def _evidence_remove(attachments, *, run: uuid.UUID, now: datetime, case_file: CaseFile) -> int:
    """The files go from storage once the transaction commits (a rolled-back run keeps them);
    each row stays, blanked of its file, with its digest and a "removed at" marker."""
    storage = Attachment.file.field.storage
    removed = list(attachments.select_for_update().order_by("pk"))
    RetentionAction.objects.bulk_create(
        RetentionAction(
            run=run,
            kind=RetentionActionKind.EVIDENCE_REMOVED,
            case_file=case_file,
            attachment=attachment,
            details={"sha256": attachment.sha256, "size": attachment.size},
        )
        for attachment in removed
    )
    Attachment.objects.filter(pk__in=[a.pk for a in removed]).update(file="", removed_at=now)
    _delete_files_on_commit(storage, [attachment.file.name for attachment in removed])
    return len(removed)


def _delete_files_on_commit(storage, names: list[str]) -> None:
    # Robust: a file that cannot be deleted is logged, and `manage.py evidence_orphans`
    # lists it (no row names it any more); the removal stands.
    for name in names:
        if name:
            transaction.on_commit(lambda name=name: storage.delete(name), robust=True)


def _draft_purge(report_id: int, *, run: uuid.UUID, now: datetime) -> int | None:
    """A draft never submitted deleted with its files and its history; None if it is no
    longer due (saved again, submitted) or another worker has it."""
    with transaction.atomic():
        draft = drafts_due(now).select_for_update(skip_locked=True).filter(pk=report_id).first()
        if draft is None:
            return None
        attachments = list(draft.attachments.all())
        RetentionAction.objects.create(
            run=run,
            kind=RetentionActionKind.DRAFT_PURGED,
            report_public_id=draft.public_id,
            reporter_id=draft.reporter_id,
            details={"status": draft.status, "evidence_files": len(attachments)},
        )
        Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
        draft.delete()  # its behaviours and notices go with it (CASCADE)
        # Its history held every word typed: a draft that was never a record leaves none.
        with pgtrigger.ignore(*HISTORY_TRIGGERS):
            _history("IncidentReport").objects.filter(pgh_obj_id=report_id).delete()
            _history("ReportCategory").objects.filter(report_id=report_id).delete()
            _history("Attachment").objects.filter(report_id=report_id).delete()
        _delete_files_on_commit(
            Attachment.file.field.storage, [attachment.file.name for attachment in attachments]
        )
    return len(attachments)


# --- Legal hold -------------------------------------------------------------------------------


def case_file_set_legal_hold(*, case_file: CaseFile, by: User, reason: str) -> CaseFile:
    """Legal keeps a case file past its retention period (a dispute, an inquiry, a suit)."""
    reason = reason.strip()
    if not capabilities_of(by).holds_legally:
        raise CaseFileError(_("Only legal and compliance can set a legal hold."))
    if not reason:
        raise CaseFileError(_("Say why the case file is held."))
    with transaction.atomic():
        case_file = CaseFile.objects.select_for_update().get(pk=case_file.pk)
        if case_file.legal_hold:
            raise CaseFileError(_("This case file is already under a legal hold."))
        case_file.legal_hold = True
        case_file.legal_hold_reason = reason
        case_file.legal_hold_by = by
        case_file.legal_hold_at = timezone.now()
        case_file.save(
            update_fields=["legal_hold", "legal_hold_reason", "legal_hold_by", "legal_hold_at"]
        )
        record_event(EventKind.LEGAL_HOLD_SET, actor=by, case_file=case_file, note=reason)
    return case_file


def case_file_release_legal_hold(*, case_file: CaseFile, by: User, reason: str) -> CaseFile:
    """The hold ends; the retention period applies again from the next run."""
    reason = reason.strip()
    if not capabilities_of(by).holds_legally:
        raise CaseFileError(_("Only legal and compliance can release a legal hold."))
    if not reason:
        raise CaseFileError(_("Say why the hold is released."))
    with transaction.atomic():
        case_file = CaseFile.objects.select_for_update().get(pk=case_file.pk)
        if not case_file.legal_hold:
            raise CaseFileError(_("This case file is not under a legal hold."))
        case_file.legal_hold = False
        case_file.legal_hold_reason = ""
        case_file.legal_hold_by = None
        case_file.legal_hold_at = None
        case_file.save(
            update_fields=["legal_hold", "legal_hold_reason", "legal_hold_by", "legal_hold_at"]
        )
        record_event(EventKind.LEGAL_HOLD_RELEASED, actor=by, case_file=case_file, note=reason)
    return case_file

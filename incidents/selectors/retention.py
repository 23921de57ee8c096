"""What the retention period makes due (APPI: personal data is deleted once no longer needed;
DESIGN.md §8): case files closed long enough whose candidate still has personal data or
evidence on file, and drafts never submitted. Read by services.retention and by
``manage.py retention --dry-run``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, DateTimeField, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import (
    Attachment,
    Candidate,
    CaseFile,
    CaseFileStatus,
    EventKind,
    IncidentReport,
    ReportStatus,
    TimelineEvent,
)

# A draft the reporter never submitted, or threw away: never a record, never anyone's but hers.
DRAFT_STATUSES = (ReportStatus.DRAFT, ReportStatus.WITHDRAWN)


def case_file_cutoff(now: datetime | None = None) -> datetime:
    """Case files closed at or before this are past their retention period (calendar years:
    a file closed on 29 February is due on 28 February, never a day early)."""
    return (now or timezone.now()) - relativedelta(years=settings.RETENTION_CASE_FILE_YEARS)


def draft_cutoff(now: datetime | None = None) -> datetime:
    """Drafts last saved at or before this are past their retention period."""
    return (now or timezone.now()) - timedelta(days=settings.RETENTION_DRAFT_DAYS)


def _closed_at() -> Coalesce:
    """When the case file was last closed: its latest "closed" event (the one place a status
    changes records one, services.cases._case_file_move); a file closed before events
    existed falls back on its last change. Uses the timeline's (case_file, created_at) index."""
    closed = (
        TimelineEvent.objects.filter(case_file=OuterRef("pk"), kind=EventKind.CASE_FILE_CLOSED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return Coalesce(Subquery(closed), "updated_at", output_field=DateTimeField())


def _personal_data_left() -> Q:
    """Something the retention period removes is still on file for the candidate: their name
    or contact (on their record or a record merged into it, or as typed on a report), or an
    evidence file of one of their reports. Asking this, not "anonymised at", is what makes a
    run idempotent and lets a file reopened, closed again and past its period go again."""
    candidate = OuterRef("candidate_id")
    merged_named = Candidate.objects.filter(merged_into=candidate).exclude(name="", contact="")
    reports_named = IncidentReport.objects.filter(candidate=candidate).exclude(
        candidate_name="", candidate_contact=""
    )
    evidence = Attachment.objects.filter(report__candidate=candidate, removed_at=None)
    return (
        ~Q(candidate__name="")
        | ~Q(candidate__contact="")
        | Exists(merged_named)
        | Exists(reports_named)
        | Exists(evidence)
    )


def case_files_past_retention(now: datetime | None = None) -> QuerySet[CaseFile]:
    """Closed case files past their period with personal data left, held or not, oldest
    closure first. A candidate merged into another follows that one's file."""
    return (
        CaseFile.objects.filter(status=CaseFileStatus.CLOSED, candidate__merged_into__isnull=True)
        .alias(closed_at=_closed_at())
        .filter(_personal_data_left(), closed_at__lte=case_file_cutoff(now))
    )


def case_files_due(now: datetime | None = None) -> QuerySet[CaseFile]:
    """What the retention run anonymises: past their period and under no legal hold."""
    return case_files_past_retention(now).filter(legal_hold=False)


def drafts_due(now: datetime | None = None) -> QuerySet[IncidentReport]:
    return IncidentReport.objects.filter(
        status__in=DRAFT_STATUSES, updated_at__lte=draft_cutoff(now)
    )


@dataclass(frozen=True)
class DueCaseFile:
    case_file_id: int
    candidate_id: str
    closed_at: datetime
    evidence_files: int
    legal_hold: bool


@dataclass(frozen=True)
class DueDraft:
    public_id: str
    reporter_code: str
    last_saved_at: datetime
    evidence_files: int


@dataclass
class RetentionPlan:
    """What a run would do now, for the dry run: references and counts, no personal data."""

    case_files: list[DueCaseFile] = field(default_factory=list)
    held: list[DueCaseFile] = field(default_factory=list)
    drafts: list[DueDraft] = field(default_factory=list)

    @property
    def evidence_files(self) -> int:
        return sum(item.evidence_files for item in self.case_files) + sum(
            item.evidence_files for item in self.drafts
        )


def retention_plan(now: datetime | None = None) -> RetentionPlan:
    plan = RetentionPlan()
    files = (
        case_files_past_retention(now)
        .annotate(
            last_closed_at=_closed_at(),
            evidence=Count(
                "candidate__reports__attachments",
                filter=Q(candidate__reports__attachments__removed_at=None),
            ),
        )
        .select_related("candidate")
        .order_by("last_closed_at", "pk")
    )
    for case_file in files:
        item = DueCaseFile(
            case_file_id=case_file.pk,
            candidate_id=case_file.candidate.candidate_id,
            closed_at=case_file.last_closed_at,
            evidence_files=case_file.evidence,
            legal_hold=case_file.legal_hold,
        )
        (plan.held if case_file.legal_hold else plan.case_files).append(item)
    drafts = (
        drafts_due(now)
        .select_related("reporter")
        .annotate(evidence=Count("attachments"))
        .order_by("updated_at", "pk")
    )
    plan.drafts = [
        DueDraft(
            public_id=str(draft.public_id),
            reporter_code=draft.reporter.staff_code,
            last_saved_at=draft.updated_at,
            evidence_files=draft.evidence,
        )
        for draft in drafts
    ]
    return plan

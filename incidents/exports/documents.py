"""The case summary of one case file as a recipient may see it, and the record sheet of one
incident (selectors: they only read).

Everything goes through the selectors' scoping (case_file_reports, case_file_timeline,
visible_attachments) and then through the recipient's parts (:mod:`.redaction`). Staff are
named by their staff codes alone, and free text is redacted as in the subject-access
export (names of staff become their codes, other candidates become "[other person]"). A part
the recipient may not see is None here, so that the template cannot show it by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from accounts.models import User
from audit.models import RecipientKind

from ..models import Attachment, CaseFile, Decision, DecisionState, EventKind, IncidentReport
from ..selectors import visible_attachments
from ..selectors.cases import (
    case_file_decisions,
    case_file_reports,
    case_file_timeline,
    merged_candidates,
)
from ..selectors.subject_access import Redactor, subject_access_redactor
from .redaction import EVERYTHING, PART_LABELS, Part, parts_for


@dataclass(frozen=True)
class SummaryReport:
    reference: str
    submitted_at: datetime
    occurred_at: datetime | None
    center: str
    channel: str
    location: str
    exam: str
    categories: list[str]
    demand: str
    demand_legitimacy: str
    repetitions: int | None
    duration_minutes: int | None
    severity: str
    police_called: bool
    reported_by: str | None
    narrative: str | None
    staff_response: str | None
    exact_words: str | None
    witnesses: str | None
    injury: bool | None
    injury_details: str | None


@dataclass(frozen=True)
class SummaryDecision:
    outcome: str
    state: str
    demand_legitimacy: str
    manner: str
    categories: list[str]
    policy_version: str
    starts_on: date | None
    ends_on: date | None
    scope: str
    proposed_at: datetime
    proposed_by: str | None
    decided_at: datetime | None
    decided_by: str | None
    rationale: str | None


@dataclass(frozen=True)
class SummaryEvidence:
    reference: str
    name: str
    kind: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str | None


@dataclass(frozen=True)
class TimelineLine:
    at: datetime
    what: str
    reference: str
    by: str | None


@dataclass(frozen=True)
class CaseSummary:
    case_file: CaseFile
    recipient_kind: str
    parts: frozenset[Part]
    generated_at: datetime
    candidate_id: str
    candidate_name: str | None
    candidate_contact: str | None
    reports: list[SummaryReport]
    decisions: list[SummaryDecision]
    evidence: list[SummaryEvidence] | None
    timeline: list[TimelineLine]

    @property
    def recipient_label(self) -> str:
        return str(RecipientKind(self.recipient_kind).label)

    @property
    def shows_staff_codes(self) -> bool:
        return Part.STAFF_CODES in self.parts

    @property
    def references(self) -> list[str]:
        return [report.reference for report in self.reports]

    @property
    def included(self) -> list[str]:
        return [str(PART_LABELS[part]) for part in Part if part in self.parts]

    @property
    def left_out(self) -> list[str]:
        return [str(PART_LABELS[part]) for part in Part if part not in self.parts]


def case_summary(user: User, case_file: CaseFile, *, recipient_kind: str) -> CaseSummary:
    """The summary of ``case_file`` for ``recipient_kind``, as ``user`` reads it (the
    exporters read every record: managers and legal). Labels are in the active language."""
    parts = parts_for(recipient_kind)
    full, _summary_lines = case_file_reports(user, case_file)
    candidate = case_file.candidate
    merged = merged_candidates(case_file).values_list("pk", flat=True)
    redact = subject_access_redactor([candidate.pk, *merged])
    identity = Part.CANDIDATE_IDENTITY in parts
    evidence = None
    if Part.EVIDENCE in parts:
        attachments = (
            visible_attachments(user)
            .filter(report__in=[report.pk for report in full])
            .select_related("report", "uploaded_by")
            .order_by("uploaded_at", "pk")
        )
        evidence = [_evidence(attachment, parts, redact) for attachment in attachments]
    decisions = reversed(list(case_file_decisions(case_file)))  # oldest first, as the timeline
    return CaseSummary(
        case_file=case_file,
        recipient_kind=recipient_kind,
        parts=parts,
        generated_at=timezone.now(),
        candidate_id=candidate.candidate_id,
        candidate_name=candidate.name if identity else None,
        candidate_contact=candidate.contact if identity else None,
        reports=[_report(report, parts, redact) for report in full],
        decisions=[_decision(decision, parts, redact) for decision in decisions],
        evidence=evidence,
        timeline=_timeline(user, case_file, parts),
    )


def _code(user: User | None, parts: frozenset[Part]) -> str | None:
    if user is None or Part.STAFF_CODES not in parts:
        return None
    return user.staff_code


def _if(part: Part, parts: frozenset[Part], text: str, redact: Redactor) -> str | None:
    return redact(text) if part in parts else None


def _report(report: IncidentReport, parts: frozenset[Part], redact: Redactor) -> SummaryReport:
    harm = Part.WITNESSES_AND_INJURIES in parts
    return SummaryReport(
        reference=report.reference,
        submitted_at=report.submitted_at,
        occurred_at=report.occurred_at,
        center=f"{report.center.code} {report.center.name}",
        channel=report.get_channel_display(),
        location=redact(report.location),
        exam=redact(report.exam),
        categories=[category.name for category in report.categories.all()],
        demand=redact(report.demand),
        demand_legitimacy=report.get_demand_legitimacy_display(),
        repetitions=report.repetitions,
        duration_minutes=report.duration_minutes,
        severity=report.get_severity_display(),
        police_called=report.police_called,
        reported_by=_code(report.reporter, parts),
        narrative=_if(Part.NARRATIVE, parts, report.narrative, redact),
        staff_response=_if(Part.NARRATIVE, parts, report.staff_response, redact),
        exact_words=_if(Part.EXACT_WORDS, parts, report.exact_words, redact),
        witnesses=_if(Part.WITNESSES_AND_INJURIES, parts, report.witnesses, redact),
        injury=report.injury if harm else None,
        injury_details=_if(Part.WITNESSES_AND_INJURIES, parts, report.injury_details, redact),
    )


def _decision(decision: Decision, parts: frozenset[Part], redact: Redactor) -> SummaryDecision:
    scope = decision.get_scope_display() if decision.scope else ""
    centers = [center.code for center in decision.scope_centers.all()]
    if centers:
        scope = f"{scope}: {', '.join(centers)}"
    elif decision.scope_client:
        scope = f"{scope}: {redact(decision.scope_client)}"
    return SummaryDecision(
        outcome=decision.get_outcome_display(),
        state=decision.get_state_display(),
        demand_legitimacy=decision.get_demand_legitimacy_display(),
        manner=decision.get_manner_display(),
        categories=[category.name for category in decision.categories.all()],
        policy_version=str(decision.policy_version.number),
        starts_on=decision.starts_on,
        ends_on=decision.ends_on,
        scope=scope,
        proposed_at=decision.proposed_at,
        proposed_by=_code(decision.proposed_by, parts),
        decided_at=decision.decided_at,
        decided_by=_code(decision.decided_by, parts),
        rationale=_if(Part.DECISION_RATIONALE, parts, decision.rationale, redact),
    )


def _evidence(attachment: Attachment, parts: frozenset[Part], redact: Redactor):
    return SummaryEvidence(
        reference=attachment.report.reference,
        # A file's name is what the reporter's device called it: it may hold a name too.
        name=redact(attachment.original_name),
        kind=attachment.kind,
        size=attachment.size,
        sha256=attachment.sha256,
        uploaded_at=attachment.uploaded_at,
        uploaded_by=_code(attachment.uploaded_by, parts),
    )


def _timeline(user: User, case_file: CaseFile, parts: frozenset[Part]) -> list[TimelineLine]:
    """What happened, when and (for who may see staff codes) by whom. The internal notes and
    the words written with an event (a reviewer's reasons) are deliberation: never here."""
    lines = []
    for entry in case_file_timeline(user, case_file):
        if entry.kind == "report":
            report = entry.report
            lines.append(
                TimelineLine(
                    entry.at,
                    str(EventKind.REPORT_SUBMITTED.label),
                    report.reference,
                    _code(report.reporter, parts),
                )
            )
        elif entry.kind == "event":
            event = entry.event
            reference = event.report.reference if event.report_id else ""
            lines.append(
                TimelineLine(
                    entry.at, event.get_kind_display(), reference or "", _code(event.actor, parts)
                )
            )
    return lines


@dataclass(frozen=True)
class RecordSheet:
    """One incident in the layout of the MHLW manual's record form: when and where, the
    customer, what was demanded and how, how staff responded, the outcome, who recorded it,
    the follow-up (the case file's decisions in force)."""

    report: SummaryReport
    candidate_id: str
    candidate_name: str
    candidate_contact: str
    decisions_in_force: list[SummaryDecision]
    generated_at: datetime


def record_sheet(report: IncidentReport) -> RecordSheet:
    """The record sheet of ``report``, which the caller has reached through
    get_report_for_user and may print (accounts.policy.may_print_record_sheet). It is read in
    full by who prints it; staff are named by their codes on paper as in every export."""
    candidate = report.candidate
    redact = subject_access_redactor([candidate.pk] if candidate else [])
    decisions = []
    if candidate is not None:
        in_force = case_file_decisions(candidate.case_file).filter(state=DecisionState.IN_FORCE)
        decisions = [_decision(decision, EVERYTHING, redact) for decision in in_force]
    return RecordSheet(
        report=_report(report, EVERYTHING, redact),
        candidate_id=candidate.candidate_id if candidate else report.candidate_id_entered,
        candidate_name=report.candidate_name or (candidate.name if candidate else ""),
        candidate_contact=report.candidate_contact or (candidate.contact if candidate else ""),
        decisions_in_force=decisions,
        generated_at=timezone.now(),
    )

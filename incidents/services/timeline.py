"""The one way a timeline event is written (the table is append-only: nothing else writes it,
and nothing ever changes it)."""

from __future__ import annotations

from accounts.models import User

from ..models import CaseFile, Decision, IncidentReport, TimelineEvent
from .notices import notice_for_event


def record_event(
    kind: str,
    *,
    actor: User | None,
    report: IncidentReport | None = None,
    case_file: CaseFile | None = None,
    decision: Decision | None = None,
    note: str = "",
    details: dict | None = None,
) -> TimelineEvent:
    """One event on the timeline, in the caller's transaction. An event about a decision is on
    its case file's timeline, and one about a report on its candidate's case file (if the
    candidate is known), unless ``case_file`` names the file (a report linked elsewhere is
    recorded on both files, one event each). ``note`` is only what a person wrote; what the
    code knows goes in ``details`` as codes (see TimelineEvent.details), so that every reader
    sees it in her own language."""
    (event,) = record_events(
        [
            timeline_event(
                kind,
                actor=actor,
                report=report,
                case_file=case_file,
                decision=decision,
                note=note,
                details=details,
            )
        ]
    )
    return event


def timeline_event(
    kind: str,
    *,
    actor: User | None,
    report: IncidentReport | None = None,
    case_file: CaseFile | None = None,
    decision: Decision | None = None,
    note: str = "",
    details: dict | None = None,
) -> TimelineEvent:
    """The event :func:`record_event` writes, not written yet: several of them go to
    :func:`record_events` in one INSERT (the escalations of a submission)."""
    if case_file is not None:
        case_file_id = case_file.pk
    elif decision is not None:
        case_file_id = decision.case_file_id
    elif report is not None and report.candidate_id:
        case_file_id = report.case_file.pk
    else:
        case_file_id = None
    return TimelineEvent(
        kind=kind,
        actor=actor,
        report=report,
        case_file_id=case_file_id,
        decision=decision,
        note=note,
        details=details or {},
    )


def record_events(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """Write the events made by :func:`timeline_event`, in one INSERT, in the caller's
    transaction, each with its reporter's notice."""
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        events = TimelineEvent.objects.bulk_create(events)
    # Her notice, if the event concerns a reporter: written here so that no service can
    # record an event she should hear of and forget to tell her.
    for event in events:
        notice_for_event(event)
    return events

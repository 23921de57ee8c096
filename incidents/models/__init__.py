"""Incident reports, candidates and their case files, evidence, decisions, the timeline and
the access logs. State changes go through ``incidents.services``; reads that depend on who
is asking go through ``incidents.selectors``."""

from .candidates import (
    CANDIDATE_ID_PATTERN,
    Candidate,
    CaseFile,
    CaseFileStatus,
    normalise_candidate_id,
    validate_candidate_id,
)
from .evidence import Attachment, PrivateStorage, evidence_path
from .reports import (
    RECORD_STATUSES,
    Addendum,
    Channel,
    IncidentReport,
    Legitimacy,
    ReferenceCounter,
    ReportCategory,
    ReportStatus,
)
from .timeline import EventKind, TimelineEvent

__all__ = [
    "CANDIDATE_ID_PATTERN",
    "RECORD_STATUSES",
    "Addendum",
    "Attachment",
    "Candidate",
    "CaseFile",
    "CaseFileStatus",
    "Channel",
    "EventKind",
    "IncidentReport",
    "Legitimacy",
    "PrivateStorage",
    "ReferenceCounter",
    "ReportCategory",
    "ReportStatus",
    "TimelineEvent",
    "evidence_path",
    "normalise_candidate_id",
    "validate_candidate_id",
]

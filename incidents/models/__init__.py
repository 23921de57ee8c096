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
from .decisions import (
    NEEDS_APPROVAL,
    NOTIFIED_TO_CANDIDATE,
    TRANSITIONS,
    Decision,
    DecisionCategory,
    DecisionCenter,
    DecisionState,
    MannerAssessment,
    Outcome,
    Scope,
)
from .escalation import (
    Escalation,
    EscalationRule,
    Notification,
    NotificationChannel,
    RepeatEscalation,
    SupportFollowUp,
)
from .evidence import Attachment, PrivateStorage, evidence_path
from .logs import CaseFileAccess, CheckinLookup
from .notices import NoticeKind, ReporterNotice
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
from .retention import RetentionAction, RetentionActionKind
from .timeline import REPORTER_VISIBLE_EVENTS, EventKind, TimelineEvent
from .triage import InformationRequest, InternalNote

__all__ = [
    "Escalation",
    "EscalationRule",
    "Notification",
    "NotificationChannel",
    "RepeatEscalation",
    "SupportFollowUp",
    "NEEDS_APPROVAL",
    "NOTIFIED_TO_CANDIDATE",
    "REPORTER_VISIBLE_EVENTS",
    "TRANSITIONS",
    "CaseFileAccess",
    "CheckinLookup",
    "Decision",
    "DecisionCategory",
    "DecisionCenter",
    "DecisionState",
    "InformationRequest",
    "InternalNote",
    "MannerAssessment",
    "Outcome",
    "Scope",
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
    "RetentionAction",
    "RetentionActionKind",
    "TimelineEvent",
    "NoticeKind",
    "ReporterNotice",
    "evidence_path",
    "normalise_candidate_id",
    "validate_candidate_id",
]

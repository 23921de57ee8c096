"""Writes to reports, case files and decisions: one function per use case, one transaction
each, with the timeline event written in the same transaction as the change it records."""

from .reports import (
    DRAFT_FIELDS,
    EvidenceRejection,
    ReportError,
    ReportIncomplete,
    report_add_addendum,
    report_attach_evidence,
    report_discard_draft,
    report_remove_draft_evidence,
    report_save_draft,
    report_submit,
    report_withdraw_draft,
    support_follow_up_add,
)

__all__ = [
    "DRAFT_FIELDS",
    "EvidenceRejection",
    "ReportError",
    "ReportIncomplete",
    "report_add_addendum",
    "report_attach_evidence",
    "report_discard_draft",
    "report_remove_draft_evidence",
    "report_save_draft",
    "report_submit",
    "report_withdraw_draft",
    "support_follow_up_add",
]

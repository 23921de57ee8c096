"""The timeline: what happened to a report or a case file, for people."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .candidates import CaseFile
from .reports import IncidentReport


class EventKind(models.TextChoices):
    REPORT_SUBMITTED = "report_submitted", _("Report submitted")
    ADDENDUM_ADDED = "addendum_added", _("Addendum added")
    CASE_FILE_OPENED = "case_file_opened", _("Case file opened")
    # Reopened by a new report (the event names it) or by a reviewer (her note says why).
    CASE_FILE_REOPENED = "case_file_reopened", _("Case file reopened")
    CASE_FILE_UNDER_REVIEW = "case_file_under_review", _("Case file review started")
    CASE_FILE_CLOSED = "case_file_closed", _("Case file closed")
    REPORT_UNDER_REVIEW = "report_under_review", _("Review started")
    REPORT_CLOSED = "report_closed", _("Report closed")
    REPORT_CORRECTED = "report_corrected", _("Categories or severity corrected")
    NOTE_ADDED = "note_added", _("Internal note added")
    INFORMATION_REQUESTED = "information_requested", _("More information requested")
    INFORMATION_ANSWERED = "information_answered", _("Reporter answered")
    REPORT_RELINKED = "report_relinked", _("Report linked to another candidate")
    CANDIDATES_MERGED = "candidates_merged", _("Candidate records merged")
    DECISION_PROPOSED = "decision_proposed", _("Decision proposed")
    DECISION_IN_FORCE = "decision_in_force", _("Decision in force")
    DECISION_REJECTED = "decision_rejected", _("Proposal rejected")
    DECISION_SUPERSEDED = "decision_superseded", _("Decision superseded")
    DECISION_EXPIRED = "decision_expired", _("Restriction expired")
    ROUTED_TO_CUSTOMER_SERVICE = "routed_to_customer_service", _("Sent to customer service")
    ESCALATED = "escalated", _("Escalated")
    ESCALATED_NEXT_LEVEL = "escalated_next_level", _("Escalated to the next level")
    ESCALATION_ACKNOWLEDGED = "escalation_acknowledged", _("Escalation acknowledged")
    SUPPORT_FOLLOW_UP = "support_follow_up", _("Support given to the reporter")
    LEGAL_HOLD_SET = "legal_hold_set", _("Legal hold set")
    LEGAL_HOLD_RELEASED = "legal_hold_released", _("Legal hold released")
    PERSONAL_DATA_REMOVED = (
        "personal_data_removed",
        _("Personal data and evidence files removed (retention period)"),
    )
    SUBJECT_ACCESS_EXPORTED = (
        "subject_access_exported",
        _("Candidate's data exported at their request"),
    )


# What the reporter sees on her own report: never the reviewers' notes or corrections.
REPORTER_VISIBLE_EVENTS = (
    EventKind.REPORT_SUBMITTED,
    EventKind.ADDENDUM_ADDED,
    EventKind.REPORT_UNDER_REVIEW,
    EventKind.REPORT_CLOSED,
    EventKind.INFORMATION_REQUESTED,
    EventKind.INFORMATION_ANSWERED,
    EventKind.ESCALATED,
    EventKind.SUPPORT_FOLLOW_UP,
)


class TimelineEvent(models.Model):
    """What happened to a report or a case file, for people (the database-level history is
    for auditors). Written in the same transaction as the change it records, only through
    services.timeline.record_event; never edited."""

    kind = models.CharField(_("event"), max_length=40, choices=EventKind.choices)
    report = models.ForeignKey(
        IncidentReport, on_delete=models.PROTECT, null=True, blank=True, related_name="timeline"
    )
    case_file = models.ForeignKey(
        CaseFile, on_delete=models.PROTECT, null=True, blank=True, related_name="timeline"
    )
    decision = models.ForeignKey(
        "incidents.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="timeline",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What a person wrote (a reviewer's reason, an acknowledgement); never generated text.
    note = models.TextField(blank=True)
    # What the code knows about the change, as codes and ids, never words: the page renders
    # it in the reader's language (templatetags/timeline.py). Keys: "severity" [before,
    # after], "categories" [[codes before], [codes after]], "rule" (an escalation rule's id),
    # "candidate" [candidate ID before, after].
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case_file", "created_at"], name="timeline_case_file")]
        triggers = [
            pgtrigger.Protect(
                name="timeline_event_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

"""What supervisors add while reviewing: internal notes and requests for more information."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from policy.models import full_history

from .candidates import CaseFile
from .reports import Addendum, IncidentReport


@pghistory.track(*full_history())
class InternalNote(models.Model):
    """A note for reviewers; never shown to the reporter."""

    report = models.ForeignKey(
        IncidentReport, on_delete=models.PROTECT, null=True, blank=True, related_name="notes"
    )
    case_file = models.ForeignKey(
        CaseFile, on_delete=models.PROTECT, null=True, blank=True, related_name="notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("internal note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False) | Q(case_file__isnull=False),
                name="internal_note_has_subject",
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]


@pghistory.track(*full_history())
class InformationRequest(models.Model):
    """A reviewer's question to the reporter, answered by an addendum."""

    report = models.ForeignKey(
        IncidentReport, on_delete=models.PROTECT, related_name="information_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(_("what you would like to know"))
    created_at = models.DateTimeField(auto_now_add=True)
    # A foreign key, not one-to-one: one addendum answers every question open when it was
    # written (two questions asked before the reporter came back get the same answer).
    answer = models.ForeignKey(
        Addendum, on_delete=models.PROTECT, null=True, blank=True, related_name="answers"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.question[:40]

"""What the retention period removed (services.retention): one row per thing, append-only."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .candidates import CaseFile
from .evidence import Attachment
from .logs import append_only


class RetentionActionKind(models.TextChoices):
    CANDIDATE_ANONYMISED = "candidate_anonymised", _("Candidate's name and contact removed")
    EVIDENCE_REMOVED = "evidence_removed", _("Evidence file removed")
    DRAFT_PURGED = "draft_purged", _("Draft never submitted deleted")


class RetentionAction(models.Model):
    """The audit trail of the retention period: what was removed, when, by which run. Never
    the data removed: a reference, a digest, counts."""

    run = models.UUIDField(_("run"), default=uuid.uuid4, db_index=True)
    kind = models.CharField(_("what was done"), max_length=30, choices=RetentionActionKind.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    case_file = models.ForeignKey(
        CaseFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retention_actions",
        verbose_name=_("case file"),
    )
    attachment = models.ForeignKey(
        Attachment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retention_actions",
        verbose_name=_("evidence file"),
    )
    # A purged draft's row is gone: its opaque id and reporter say which it was.
    report_public_id = models.UUIDField(_("draft"), null=True, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reporter"),
    )
    # Codes and counts only (such as {"reports": 2, "sha256": "…"}), never personal data.
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("retention action")
        verbose_name_plural = _("retention actions")
        triggers = [append_only()]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

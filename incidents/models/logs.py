"""Access logs: who looked at which case file, and every check-in lookup. Append-only."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import TestCenter

from .candidates import CaseFile


def append_only() -> pgtrigger.Protect:
    """A log row is never changed or removed, whatever path writes to the table."""
    return pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)


class AccessKind(models.TextChoices):
    """What was opened, as the access log records it (shown to legal and admins by its label)."""

    CASE_FILE = "case_file", _("the case file")
    NOTICE = "notice", _("the candidate notice")
    STATUS = "status", _("a change of status")


class CaseFileAccess(models.Model):
    case_file = models.ForeignKey(
        CaseFile, on_delete=models.PROTECT, related_name="accesses", verbose_name=_("case file")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    viewed_at = models.DateTimeField(_("opened at"), auto_now_add=True, db_index=True)
    what = models.CharField(
        _("what was opened"),
        max_length=30,
        choices=AccessKind.choices,
        default=AccessKind.CASE_FILE,
    )

    class Meta:
        ordering = ["-viewed_at", "-id"]
        verbose_name = _("case file access")
        verbose_name_plural = _("case file accesses")
        triggers = [append_only()]

    def __str__(self) -> str:
        return f"{self.user_id} {self.case_file_id} {self.viewed_at:%Y-%m-%d %H:%M}"


class CheckinLookup(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    center = models.ForeignKey(
        TestCenter,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("test center"),
    )
    candidate_id_entered = models.CharField(_("candidate ID entered"), max_length=40)
    restricted = models.BooleanField(_("restriction shown"))
    # A lookup the rate limit refused is kept too (DESIGN.md §4: every lookup is logged): a
    # sweep through candidate IDs is what an auditor needs to see, refusals included. It
    # answered nothing, so it never counts as a lookup made.
    refused = models.BooleanField(_("refused by the rate limit"), default=False)
    looked_up_at = models.DateTimeField(_("looked up at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-looked_up_at", "-id"]
        verbose_name = _("check-in lookup")
        verbose_name_plural = _("check-in lookups")
        triggers = [append_only()]

    def __str__(self) -> str:
        return f"{self.user_id} {self.candidate_id_entered} {self.looked_up_at:%Y-%m-%d %H:%M}"

"""Candidates, identified by the ID the test system issues, and their one case file."""

from __future__ import annotations

import re
import unicodedata

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from policy.models import Severity, full_history

CANDIDATE_ID_PATTERN = re.compile(r"^[A-Z0-9]{4,20}$")


def normalise_candidate_id(raw: str) -> str:
    """The candidate ID as the test system issues it: full-width characters (typed on a
    Japanese keyboard) made half-width, spaces and hyphens dropped, letters upper-case."""
    text = unicodedata.normalize("NFKC", raw or "")
    return re.sub(r"[\s\-‐－ー_]", "", text).upper()


def validate_candidate_id(value: str) -> None:
    if not CANDIDATE_ID_PATTERN.match(value):
        raise ValidationError(
            _("A candidate ID is 4 to 20 letters and digits, as printed on the admission ticket."),
            code="candidate_id",
        )


@pghistory.track(*full_history())
class Candidate(models.Model):
    candidate_id = models.CharField(
        _("candidate ID"), max_length=20, unique=True, validators=[validate_candidate_id]
    )
    # Personal data: shown only to roles that need it (DESIGN.md §8).
    name = models.CharField(_("name"), max_length=100, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Two records that turned out to be the same person: the merged one points at the one
    # that carries on, and keeps its own ID for the history.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    # When the retention period blanked the name and contact (services.retention): the
    # candidate ID stays, so that a restriction still reaches the check-in desk.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")

    def __str__(self) -> str:
        return self.candidate_id


class CaseFileStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UNDER_REVIEW = "under_review", _("Under review")
    CLOSED = "closed", _("Closed")


# Where a case file may go from each status (DESIGN.md §4: open → under review → closed,
# reopened by a new report or by a reviewer), checked in one place: services.cases.
CASE_FILE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseFileStatus.OPEN: (CaseFileStatus.UNDER_REVIEW, CaseFileStatus.CLOSED),
    CaseFileStatus.UNDER_REVIEW: (CaseFileStatus.CLOSED,),
    CaseFileStatus.CLOSED: (CaseFileStatus.OPEN,),
}


# The list's summary of the file's records is derived from the reports, which keep their own
# history.
@pghistory.track(*full_history(), exclude=["report_count", "last_report_at", "center_ids"])
class CaseFile(models.Model):
    candidate = models.OneToOneField(
        Candidate, on_delete=models.PROTECT, related_name="case_file", verbose_name=_("candidate")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseFileStatus.choices, default=CaseFileStatus.OPEN
    )
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=Severity.choices, default=Severity.LOW
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: every change bumps it (services.cases.case_file_bump_revision); a
    # change made from a page that showed an older value is refused.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    # A legal hold keeps everything on file past the retention period (a dispute, a police
    # inquiry, a lawsuit): set and released by legal, only through services.retention.
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.TextField(_("reason for the legal hold"), blank=True)
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("legal hold set by"),
    )
    legal_hold_at = models.DateTimeField(_("legal hold set at"), null=True, blank=True)
    # What the case-file list shows of the candidate's records, kept by the services that add
    # a record to the file or move one away (services.cases.case_file_take_report and
    # case_file_recount), in their transaction and under the file's row lock: summing a
    # million reports per page load to sort two dozen files cost seconds. A file whose
    # records all left (a merge) keeps the time of its last one.
    # Defaults in the database too, so that a bulk load (incidents.bench_data's COPY) may leave
    # them out and run services.cases.case_files_summarise afterwards.
    report_count = models.PositiveIntegerField(_("reports"), db_default=0, editable=False)
    last_report_at = models.DateTimeField(_("last report"), db_default=Now(), editable=False)
    center_ids = ArrayField(
        models.BigIntegerField(),
        db_default=Value([], output_field=ArrayField(models.BigIntegerField())),
        blank=True,
        editable=False,
        verbose_name=_("centers"),
    )

    class Meta:
        verbose_name = _("case file")
        verbose_name_plural = _("case files")
        indexes = [
            # The case-file list (selectors.cases.case_files_for): most recent report first.
            models.Index(fields=["-last_report_at", "-id"], name="case_file_recent"),
        ]
        constraints = [
            # A hold always says why, who and when: it is what stops the retention period.
            models.CheckConstraint(
                condition=Q(legal_hold=False)
                | Q(legal_hold_by__isnull=False, legal_hold_at__isnull=False)
                & ~Q(legal_hold_reason=""),
                name="case_file_legal_hold_explained",
            )
        ]

    def __str__(self) -> str:
        return f"{_('Case file')} {self.candidate.candidate_id}"

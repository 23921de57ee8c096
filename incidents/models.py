"""Incident reports, candidates and their case files, evidence, addenda and the timeline.

Decisions and escalations join them in later milestones. State changes go through the
services in ``services.py``; reads that depend on who is asking go through ``selectors.py``.
"""

from __future__ import annotations

import re
import unicodedata
import uuid

import pghistory
import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.models import TestCenter
from policy.models import Category, PolicyVersion, Severity, full_history

# --- Candidates ---------------------------------------------------------------------------

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

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")

    def __str__(self) -> str:
        return self.candidate_id


class CaseFileStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UNDER_REVIEW = "under_review", _("Under review")
    CLOSED = "closed", _("Closed")


@pghistory.track(*full_history())
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
    assigned_supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned supervisor"),
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: every change bumps it; a change based on an older value is refused.
    revision = models.PositiveIntegerField(_("revision"), default=1)

    class Meta:
        verbose_name = _("case file")
        verbose_name_plural = _("case files")

    def __str__(self) -> str:
        return f"{_('Case file')} {self.candidate.candidate_id}"


# --- Reports ---------------------------------------------------------------------------------


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn draft")


# A report becomes a record when it is submitted: from then on only addenda are added.
RECORD_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.UNDER_REVIEW, ReportStatus.CLOSED)


class Channel(models.TextChoices):
    CHECK_IN = "in_person_checkin", _("In person at check-in")
    TESTING_ROOM = "testing_room", _("In the testing room")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    ONLINE = "social_media", _("Social media or online")
    OTHER = "other", _("Other")


class Legitimacy(models.TextChoices):
    YES = "yes", _("Yes, the request itself was legitimate")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No, the request itself was not legitimate")
    UNSURE = "unsure", _("I am not sure")


@pghistory.track(*full_history())
class IncidentReport(models.Model):
    # Drafts are reached by this opaque id; a submitted report by its reference.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The id of the form the report was first posted from: a double-clicked or re-posted
    # "new report" form finds the report it already created instead of making a second.
    form_token = models.UUIDField(unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incident_reports",
        verbose_name=_("reporter"),
    )
    center = models.ForeignKey(
        TestCenter, on_delete=models.PROTECT, related_name="reports", verbose_name=_("test center")
    )

    # When and where
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    location = models.CharField(_("where"), max_length=200, blank=True)
    online_url = models.URLField(_("address of the post"), max_length=500, blank=True)
    exam = models.CharField(_("exam or client"), max_length=200, blank=True)

    # Who: the candidate as entered; linked to a Candidate at submission.
    candidate_id_entered = models.CharField(_("candidate ID"), max_length=20, blank=True)
    candidate_name = models.CharField(_("candidate's name"), max_length=100, blank=True)
    candidate_contact = models.CharField(_("candidate's contact"), max_length=200, blank=True)
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("candidate"),
    )

    # The two-part test of the policy: was the request legitimate, and how was it pursued?
    demand = models.TextField(_("what the candidate demanded"), blank=True)
    demand_legitimacy = models.CharField(
        _("was the demand itself legitimate?"),
        max_length=10,
        choices=Legitimacy.choices,
        blank=True,
    )
    exact_words = models.TextField(_("the exact words used"), blank=True)
    repetitions = models.PositiveIntegerField(
        _("times the demand was repeated"), null=True, blank=True
    )
    narrative = models.TextField(_("what happened"), blank=True)
    categories = models.ManyToManyField(
        Category,
        through="ReportCategory",
        related_name="reports",
        blank=True,
        verbose_name=_("behaviours"),
    )

    # Response and harm
    staff_response = models.TextField(_("what you did"), blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("how long it went on (minutes)"), null=True, blank=True
    )
    injury = models.BooleanField(_("someone was injured"), default=False)
    injury_details = models.TextField(_("injuries"), blank=True)
    police_called = models.BooleanField(_("the police were called"), default=False)
    witnesses = models.TextField(_("witnesses"), blank=True)

    # Care and advice for the reporter
    support_requested = models.BooleanField(_("I would like support"), default=False)
    advice_requested = models.BooleanField(
        _("I am not sure this is harassment: please advise"), default=False
    )

    # Severity: suggested from the categories and flags; the reporter may raise it, with a reason.
    suggested_severity = models.CharField(
        _("suggested severity"), max_length=10, choices=Severity.choices, blank=True
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    severity_reason = models.TextField(_("why the severity was raised"), blank=True)

    policy_version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("policy version"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        indexes = [
            # "My reports": a reporter's reports, newest first.
            models.Index(fields=["reporter", "-created_at", "-id"], name="report_reporter_recent"),
            models.Index(fields=["center", "status", "-submitted_at"], name="report_center_status"),
        ]
        constraints = [
            # What makes a report a record is fixed at submission, together.
            models.CheckConstraint(
                condition=Q(status__in=[ReportStatus.DRAFT, ReportStatus.WITHDRAWN])
                | Q(
                    reference__isnull=False,
                    submitted_at__isnull=False,
                    policy_version__isnull=False,
                    occurred_at__isnull=False,
                )
                & ~Q(severity="")
                & ~Q(narrative=""),
                name="report_record_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(reference__isnull=True) | Q(reference__regex=r"^CH-[0-9]{4}-[0-9]{6}$"),
                name="report_reference_format",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"{_('Draft')} {str(self.public_id)[:8]}"

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT

    @property
    def is_record(self) -> bool:
        return self.status in RECORD_STATUSES

    @cached_property
    def category_codes(self) -> list[str]:
        return [category.code for category in self.categories.all()]


@pghistory.track(*full_history())
class ReportCategory(models.Model):
    """A behaviour a report names; a table of its own so that its history is kept."""

    report = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "category"], name="report_category_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.category_id}"


class ReferenceCounter(models.Model):
    """The last reference number given in a year (CH-YYYY-NNNNNN). Incremented in the
    submitting transaction under a row lock, so concurrent submissions get distinct,
    consecutive numbers, and a rolled-back submission gives its number back."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


@pghistory.track(*full_history())
class Addendum(models.Model):
    report = models.ForeignKey(
        IncidentReport, on_delete=models.PROTECT, related_name="addenda", verbose_name=_("report")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("addendum"))
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("addendum")
        verbose_name_plural = _("addenda")

    def __str__(self) -> str:
        return f"{self.report} +{self.created_at:%Y-%m-%d %H:%M}"


# --- Evidence ------------------------------------------------------------------------------


class PrivateStorage(FileSystemStorage):
    """Evidence lives outside any public URL: it is served only through the permission-checked
    download view, never by the web server or WhiteNoise."""

    def __init__(self, **kwargs):
        kwargs.setdefault("location", settings.PRIVATE_MEDIA_ROOT)
        kwargs["base_url"] = None
        super().__init__(**kwargs)

    def url(self, name):
        raise ValueError("evidence files have no public URL")


def evidence_path(attachment: Attachment, filename: str) -> str:
    # A generated name: nothing a reporter's device chose reaches the file system.
    return f"evidence/{attachment.uploaded_at:%Y/%m}/{uuid.uuid4().hex}.{attachment.extension}"


@pghistory.track(*full_history())
class Attachment(models.Model):
    report = models.ForeignKey(
        IncidentReport,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("report"),
    )
    addendum = models.ForeignKey(
        Addendum,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("addendum"),
    )
    file = models.FileField(
        _("file"), storage=PrivateStorage, upload_to=evidence_path, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=200)
    extension = models.CharField(_("type"), max_length=10)
    content_type = models.CharField(_("content type"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    # Chain of custody: the digest at upload proves later that the file was not altered.
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


# --- Timeline --------------------------------------------------------------------------------


class EventKind(models.TextChoices):
    REPORT_SUBMITTED = "report_submitted", _("Report submitted")
    ADDENDUM_ADDED = "addendum_added", _("Addendum added")
    CASE_FILE_OPENED = "case_file_opened", _("Case file opened")
    CASE_FILE_REOPENED = "case_file_reopened", _("Case file reopened by a new report")


class TimelineEvent(models.Model):
    """What happened to a report or a case file, for people (the database-level history is
    for auditors). Written in the same transaction as the change it records; never edited."""

    kind = models.CharField(_("event"), max_length=40, choices=EventKind.choices)
    report = models.ForeignKey(
        IncidentReport, on_delete=models.PROTECT, null=True, blank=True, related_name="timeline"
    )
    case_file = models.ForeignKey(
        CaseFile, on_delete=models.PROTECT, null=True, blank=True, related_name="timeline"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
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

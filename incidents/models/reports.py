"""Incident reports, their categories, reference numbers and addenda."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Func, Q, Value, When
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.models import TestCenter
from policy.models import Category, PolicyVersion, Severity, full_history

from .candidates import Candidate


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn draft")


# Where a report may go from each status (DESIGN.md §4): the reporter submits or withdraws a
# draft; reviewers take a record through review to its close, one way. Checked in one
# place: services.reports.report_transition.
REPORT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReportStatus.DRAFT: (ReportStatus.SUBMITTED, ReportStatus.WITHDRAWN),
    ReportStatus.SUBMITTED: (ReportStatus.UNDER_REVIEW,),
    ReportStatus.UNDER_REVIEW: (ReportStatus.CLOSED,),
    ReportStatus.CLOSED: (),
    ReportStatus.WITHDRAWN: (),
}


# The most characters the database keeps in one free-text field of a report or addendum:
# a report of harassment is a few pages at most, and a megabyte pasted by mistake must not
# hold the submission up (settings.REPORT_TEXT_MAX_CHARS, the forms' limit, cannot exceed it).
REPORT_TEXT_LIMIT = 50_000
# The free-text fields of a report that REPORT_TEXT_LIMIT bounds (the short ones have their
# own max_length).
REPORT_TEXT_FIELDS = (
    "demand",
    "exact_words",
    "narrative",
    "staff_response",
    "injury_details",
    "witnesses",
    "severity_reason",
)
# When an incident can have happened: nothing reported here predates the portal's century,
# and a date typed as 0001-01-01 is a slip that PostgreSQL would keep as 1 BC and psycopg
# could not read back; the upper bound keeps every stored time displayable in any time zone
# (year 9999 in UTC is year 10000 in Tokyo, which Python's datetime cannot hold).
OCCURRED_AT_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
OCCURRED_AT_LATEST = datetime(2100, 1, 1, tzinfo=UTC)

# A report becomes a record when it is submitted: from then on only addenda are added.
RECORD_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.UNDER_REVIEW, ReportStatus.CLOSED)
# What still needs someone: the review queue shows it unless asked for closed reports too.
OPEN_WORK = (ReportStatus.SUBMITTED, ReportStatus.UNDER_REVIEW)
# Most urgent first: the review queue's default order, stored as IncidentReport.severity_rank.
SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


def _queue_index(name: str, fields: list[str], statuses: tuple[str, ...]) -> models.Index:
    """An index of the review queue (incidents.selectors.review) over the reports of
    ``statuses``. Each ends in ``id``, so that a keyset page (harassment_portal.keyset)
    starts inside the index, and a tab of one status is served by the index of its group,
    whose condition it implies."""
    return models.Index(fields=fields, condition=Q(status__in=list(statuses)), name=name)


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


# The search tokens and the severity's rank are derived from what the history already holds.
@pghistory.track(
    *full_history(), exclude=["search_tokens", "severity_rank", "triaged_at", "decided_at"]
)
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
    # The severity as a number, most severe first (0 = critical; a draft without one last),
    # kept by PostgreSQL: the review queue's default order, which a CASE over the text in
    # the query would make the database compute and sort for every open report, can then
    # be read from an index (the report_*_severity indexes).
    severity_rank = models.GeneratedField(
        expression=Case(
            *(
                When(severity=severity, then=Value(rank))
                for rank, severity in enumerate(SEVERITY_ORDER)
            ),
            default=Value(len(SEVERITY_ORDER)),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )

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
    # When its review started, and when the first decision on its candidate's case file at or
    # after its submission was proposed: the dashboard's hours to triage and to a decision,
    # read with the other figures from the index report_dashboard instead of searching the
    # timeline and the decisions for each report of the period. Derived (the history keeps
    # the review's event and the decisions); set in the same transaction by
    # services.triage.report_set_status and services.cases.reports_set_decided_at.
    triaged_at = models.DateTimeField(_("review started at"), null=True, editable=False)
    decided_at = models.DateTimeField(_("first decided at"), null=True, editable=False)
    # Every character and every pair of characters of the free text, kept by PostgreSQL
    # itself: a GIN index on it finds Japanese words of one or two characters (暴言, 殴),
    # which neither the full-text parser (it does not split Japanese) nor pg_trgm (it needs
    # three characters) can. See incidents.search.
    search_tokens = models.GeneratedField(
        expression=Func(F("narrative"), F("demand"), F("exact_words"), function="hp_search_tokens"),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        indexes = [
            # "My reports": a reporter's reports, newest first.
            models.Index(fields=["reporter", "-created_at", "-id"], name="report_reporter_recent"),
            models.Index(fields=["center", "status", "-submitted_at"], name="report_center_status"),
            # The review queue's tab counts (selectors.review.status_counts), capped: an
            # index-only range per status for managers and legal (a supervisor's are ranges of
            # report_center_status), and under a severity filter for everyone, the rank read
            # from the index. Without it there, a count of closed high-severity reports (most
            # closed reports are high) read the table from its start: some 830 pages at a
            # million reports, outside shared_buffers, on every load (16 to 1,200 ms; 2 ms
            # through this index). Included, not a key: as a key column, the queue's search
            # window (ROW(severity_rank, ...) <= its bound) was read through this index and
            # sorted, 22 ms where report_open_severity takes 2.
            models.Index(
                fields=["status", "center"],
                include=["severity_rank"],
                name="report_status_center_severity",
            ),
            # The API's report list (api/reports.py), newest first: her own reports (drafts
            # too) or the records she reviews, an OR that no narrower index serves, walked
            # from the newest end and filtered (a sort of every report before).
            models.Index(fields=["-created_at", "-id"], name="report_recent"),
            # The review queue's search and the API's: words through their tokens.
            GinIndex(fields=["search_tokens"], name="report_search_tokens"),
            # The review queue of managers and legal (every center), open work (its default
            # tab): most severe, then longest waiting; and by time, newest first read backwards.
            _queue_index(
                "report_open_severity", ["severity_rank", "submitted_at", "id"], OPEN_WORK
            ),
            _queue_index("report_open_time", ["submitted_at", "id"], OPEN_WORK),
            # A supervisor's queue, open work: her center leads.
            _queue_index(
                "report_center_open_severity",
                ["center", "severity_rank", "submitted_at", "id"],
                OPEN_WORK,
            ),
            _queue_index("report_center_open_time", ["center", "submitted_at", "id"], OPEN_WORK),
            # Support requests (selectors.support): those of her centers that wait for a
            # follow-up, counted on the home page of the staff-care contact and supervisors up
            # to a limit, listed oldest first. About one report in twelve asks for support: an
            # index-only range instead of reading every record of the centers.
            models.Index(
                fields=["center", "submitted_at", "id"],
                condition=Q(support_requested=True, status__in=list(RECORD_STATUSES)),
                name="report_support_requests",
            ),
            # The queue's "closed" and "all" tabs, every center, then a supervisor's.
            _queue_index(
                "report_record_severity", ["severity_rank", "submitted_at", "id"], RECORD_STATUSES
            ),
            _queue_index("report_record_time", ["submitted_at", "id"], RECORD_STATUSES),
            _queue_index(
                "report_center_record_severity",
                ["center", "severity_rank", "submitted_at", "id"],
                RECORD_STATUSES,
            ),
            _queue_index(
                "report_center_record_time", ["center", "submitted_at", "id"], RECORD_STATUSES
            ),
            # The dashboard's figures (dashboard.selectors: center_figures, monthly_categories,
            # repeat_candidates): the records of a center in a period with every column they
            # aggregate, so that each is an index-only range scan per center.
            models.Index(
                fields=["center", "submitted_at"],
                include=[
                    "id",
                    "severity",
                    "support_requested",
                    "advice_requested",
                    "candidate",
                    "triaged_at",
                    "decided_at",
                ],
                condition=Q(status__in=list(RECORD_STATUSES)),
                name="report_dashboard",
            ),
        ]
        constraints = [
            # What makes a report a record is fixed at submission, together.
            # The reference number is the one exception, checked at commit by the trigger
            # record_has_reference: report_submit allocates it last, so that the counter's
            # row lock is held for one short statement (see _allocate_reference).
            models.CheckConstraint(
                condition=Q(status__in=[ReportStatus.DRAFT, ReportStatus.WITHDRAWN])
                | Q(
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
            models.CheckConstraint(
                condition=Q(
                    *(
                        LessThanOrEqual(Length(name), REPORT_TEXT_LIMIT)
                        for name in REPORT_TEXT_FIELDS
                    )
                ),
                name="report_text_within_limit",
            ),
            models.CheckConstraint(
                condition=Q(occurred_at__isnull=True)
                | Q(occurred_at__gte=OCCURRED_AT_EARLIEST, occurred_at__lt=OCCURRED_AT_LATEST),
                name="report_occurred_at_plausible",
            ),
        ]
        triggers = [
            # A record has its reference number by the time its transaction commits. Deferred
            # (a CHECK constraint cannot be): the row becomes "submitted" before the rules
            # escalate it, and gets its number only as the last statement. The row is read
            # again at commit, since NEW is the row as this statement left it.
            pgtrigger.Trigger(
                name="record_has_reference",
                when=pgtrigger.After,
                operation=pgtrigger.Insert | pgtrigger.Update,
                timing=pgtrigger.Deferred,
                condition=pgtrigger.Q(
                    new__reference__isnull=True, new__status__in=list(RECORD_STATUSES)
                ),
                # The statuses are RECORD_STATUSES.
                func=pgtrigger.Func(
                    "IF EXISTS (SELECT 1 FROM {meta.db_table} WHERE id = NEW.id"
                    " AND reference IS NULL"
                    " AND status IN ('submitted', 'under_review', 'closed')) THEN"
                    " RAISE EXCEPTION 'report % is a record without a reference number', NEW.id"
                    " USING ERRCODE = 'check_violation'; END IF; RETURN NULL;"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"{_('Draft')} {str(self.public_id)[:8]}"

    def validate_constraints(self, exclude=None):
        """Django's check of the constraints, without the CHECK constraints that read a field
        the caller excluded: Django would build each one's query (an expression for every
        field of the report) and then pass over it on finding that field missing, a
        millisecond of every post of the report form, which leaves out the fields it checks
        itself. The database checks every constraint at the write."""
        excluded = set(exclude or ())
        errors = {}
        for constraint in self._meta.constraints:
            if isinstance(constraint, models.CheckConstraint) and excluded & _fields_read(
                constraint
            ):
                continue
            try:
                constraint.validate(type(self), self, exclude=exclude)
            except ValidationError as error:
                # As Django's: a one-field unique constraint's error goes under its field.
                if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT

    @property
    def is_record(self) -> bool:
        return self.status in RECORD_STATUSES

    @property
    def case_file(self):
        """The case file of the linked candidate, if the candidate is known."""
        return self.candidate.case_file if self.candidate_id else None

    @cached_property
    def category_codes(self) -> list[str]:
        return [category.code for category in self.categories.all()]


def _fields_read(constraint: models.CheckConstraint) -> frozenset[str]:
    """The fields a CHECK constraint's condition names, in lookups or in expressions."""
    return frozenset(_names_in(constraint.condition))


def _names_in(node):
    for child in node.children if isinstance(node, Q) else (node,):
        if isinstance(child, Q):
            yield from _names_in(child)
        elif isinstance(child, tuple):  # ("field__lookup", value)
            yield child[0].split("__", 1)[0]
            if hasattr(child[1], "flatten"):
                yield from _names_in(child[1])
        else:
            yield from (
                part.name.split("__", 1)[0] for part in child.flatten() if isinstance(part, F)
            )


@pghistory.track(*full_history())
class ReportCategory(models.Model):
    """A behaviour a report names; a table of its own so that its history is kept."""

    report = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("behaviour reported")
        verbose_name_plural = _("behaviours reported")
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

    class Meta:
        verbose_name = _("reference number counter")
        verbose_name_plural = _("reference number counters")

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
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), REPORT_TEXT_LIMIT),
                name="addendum_text_within_limit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} +{self.created_at:%Y-%m-%d %H:%M}"

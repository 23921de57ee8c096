"""The customer harassment policy as data: versioned bilingual text and the behaviour
categories that reports cite. Knows nothing of incidents (it is upstream of them)."""

from __future__ import annotations

from dataclasses import dataclass

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def full_history() -> tuple[pghistory.Tracker, ...]:
    """Insert, update and delete events. New tracker objects per model: pghistory binds a
    tracker to the model it decorates, so one tuple cannot be shared."""
    return (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())


def is_english() -> bool:
    return (get_language() or settings.LANGUAGE_CODE).startswith("en")


def localized(obj: models.Model, field: str) -> tuple[str, bool]:
    """``obj.<field>_<lang>`` in the active language, else the other one.

    Returns the text and whether it is a fallback, so that a page can mark text shown in
    the other language instead of hiding that a translation is missing."""
    wanted, other = ("en", "ja") if is_english() else ("ja", "en")
    text = getattr(obj, f"{field}_{wanted}")
    if text.strip():
        return text, False
    return getattr(obj, f"{field}_{other}"), True


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class PolicyVersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


FROZEN = [PolicyVersionStatus.PUBLISHED, PolicyVersionStatus.ARCHIVED]


@pghistory.track(*full_history())
class PolicyVersion(models.Model):
    number = models.PositiveIntegerField(
        _("version number"), unique=True, validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PolicyVersionStatus.choices,
        default=PolicyVersionStatus.DRAFT,
    )
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    effective_date = models.DateField(
        _("effective date"),
        null=True,
        blank=True,
        help_text=_("Set to the day of publishing if empty."),
    )
    change_note = models.TextField(
        _("what changed"), blank=True, help_text=_("A short note for the version history.")
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("based on"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [
            # Exactly one text is in force: reports cite "the version in force", so two
            # published versions would make that citation ambiguous.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status=PolicyVersionStatus.PUBLISHED),
                name="policy_one_published_version",
            ),
            models.CheckConstraint(
                condition=Q(status=PolicyVersionStatus.DRAFT)
                | Q(published_at__isnull=False, effective_date__isnull=False),
                name="policy_published_version_has_date",
            ),
        ]
        triggers = [
            # A version that was ever in force is a record that decisions cite: its text
            # never changes and it never comes back to draft, whatever path writes to it.
            pgtrigger.Protect(
                name="policy_version_frozen_once_published",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__status__in=FROZEN)
                & (
                    pgtrigger.Q(old__number__df=pgtrigger.F("new__number"))
                    | pgtrigger.Q(old__title_ja__df=pgtrigger.F("new__title_ja"))
                    | pgtrigger.Q(old__title_en__df=pgtrigger.F("new__title_en"))
                    | pgtrigger.Q(old__effective_date__df=pgtrigger.F("new__effective_date"))
                    | pgtrigger.Q(new__status=PolicyVersionStatus.DRAFT)
                    | pgtrigger.Q(
                        old__status=PolicyVersionStatus.ARCHIVED,
                        new__status=PolicyVersionStatus.PUBLISHED,
                    )
                ),
            ),
            pgtrigger.Protect(
                name="policy_version_kept_once_published",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Q(old__status__in=FROZEN),
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.title} ({self.get_status_display()})"

    @property
    def title(self) -> str:
        return localized(self, "title")[0]

    @property
    def is_draft(self) -> bool:
        return self.status == PolicyVersionStatus.DRAFT


@pghistory.track(*full_history())
class PolicySection(models.Model):
    version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("policy version"),
    )
    key = models.SlugField(
        _("key"),
        max_length=50,
        help_text=_("Stable name that matches this section across versions."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    heading_ja = models.CharField(_("heading (Japanese)"), max_length=200, blank=True)
    heading_en = models.CharField(_("heading (English)"), max_length=200, blank=True)
    body_ja = models.TextField(_("text (Japanese)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("policy section")
        verbose_name_plural = _("policy sections")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="policy_section_key_unique"),
            models.CheckConstraint(
                condition=~Q(heading_ja="", heading_en=""), name="policy_section_has_heading"
            ),
        ]
        triggers = [
            # Sections of a published or archived version are as frozen as the version.
            pgtrigger.Trigger(
                name="policy_section_only_in_draft",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                func=pgtrigger.Func(
                    """
                    IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
                        SELECT 1 FROM policy_policyversion
                        WHERE id = OLD.version_id AND status <> 'draft'
                    ) THEN
                        RAISE EXCEPTION 'policy section % belongs to a version that was published',
                            OLD.id USING ERRCODE = 'integrity_constraint_violation';
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
                        SELECT 1 FROM policy_policyversion
                        WHERE id = NEW.version_id AND status <> 'draft'
                    ) THEN
                        RAISE EXCEPTION 'a version that was published takes no new sections'
                            USING ERRCODE = 'integrity_constraint_violation';
                    END IF;
                    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                    RETURN NEW;
                    """
                ),
            ),
        ]

    def __str__(self) -> str:
        return localized(self, "heading")[0]


@pghistory.track(*full_history())
class Category(models.Model):
    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("Fixed once created: reports, forms and the API name a category by it."),
    )
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    examples_ja = models.TextField(
        _("examples (Japanese)"), blank=True, help_text=_("One example a line.")
    )
    examples_en = models.TextField(
        _("examples (English)"), blank=True, help_text=_("One example a line.")
    )
    default_severity = models.CharField(
        _("default severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Retired categories stay on old reports.")
    )

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        triggers = [
            # Codes are the contract of forms and the API, and old reports cite them:
            # a category is renamed or retired, never recoded or deleted.
            pgtrigger.Protect(
                name="category_code_immutable",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("code"),
            ),
            pgtrigger.Protect(name="category_never_deleted", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")[0]

    @property
    def description(self) -> str:
        return localized(self, "description")[0]

    @property
    def examples(self) -> list[str]:
        text = localized(self, "examples")[0]
        return [line.lstrip("-•・ ").strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class NoticeContact:
    """What a notice to a candidate says of the company, in one language."""

    company_name: str
    phone: str
    email: str
    postal_address: str
    hours: str
    appeal_route: str
    appeal_deadline: str


NOTICE_TEXT_FIELDS = ("company_name", "postal_address", "hours", "appeal_route", "appeal_deadline")


@pghistory.track(*full_history())
class CandidateNoticeSettings(models.Model):
    """The company's name, its contact and the route to contest a decision, as the printed
    notice to a candidate gives them. One row, edited in Django admin. It names a desk, never
    a member of staff (DESIGN.md §8): candidates often demand staff names."""

    # One row only: its key is fixed, and a constraint refuses any other.
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    company_name_ja = models.CharField(_("company name (Japanese)"), max_length=200)
    company_name_en = models.CharField(_("company name (English)"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40)
    email = models.EmailField(_("e-mail address"), blank=True)
    postal_address_ja = models.TextField(_("postal address (Japanese)"))
    postal_address_en = models.TextField(_("postal address (English)"))
    hours_ja = models.CharField(_("hours (Japanese)"), max_length=200)
    hours_en = models.CharField(_("hours (English)"), max_length=200)
    appeal_route_ja = models.TextField(
        _("how to contest the decision (Japanese)"),
        help_text=_("Where and how the candidate may ask for the decision to be reviewed."),
    )
    appeal_route_en = models.TextField(_("how to contest the decision (English)"))
    appeal_deadline_ja = models.CharField(
        _("deadline to contest (Japanese)"),
        max_length=200,
        help_text=_("For example: within 30 days of the date of this notice."),
    )
    appeal_deadline_en = models.CharField(_("deadline to contest (English)"), max_length=200)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("candidate notice settings")
        verbose_name_plural = _("candidate notice settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="candidate_notice_settings_one_row"),
        ]

    def __str__(self) -> str:
        return str(_("Company name, contact and appeal route on notices to candidates"))

    def for_language(self, language: str) -> NoticeContact:
        """The texts in ``language`` ("ja" or "en"); the phone and e-mail are the same in
        both."""
        suffix = "en" if language.startswith("en") else "ja"
        texts = {field: getattr(self, f"{field}_{suffix}") for field in NOTICE_TEXT_FIELDS}
        return NoticeContact(phone=self.phone, email=self.email, **texts)

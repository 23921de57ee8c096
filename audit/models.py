"""The disclosure log: every hand-over of a case file's data to a third party (the police,
the test organiser, a lawyer), with its legal basis. Japan's APPI art. 29 asks for a record
of each provision to a third party; art. 27(1) lists the bases on which it may be made
without the person's consent. Append-only, like the access logs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import CaseFile
from incidents.models.logs import append_only


class RecipientKind(models.TextChoices):
    POLICE = "police", _("Police")
    TEST_ORGANISER = "test_organiser", _("Test organiser (client)")
    LAWYER = "lawyer", _("Lawyer")
    OTHER = "other", _("Other")


class LegalBasis(models.TextChoices):
    """The grounds of APPI art. 27 on which personal data may go to a third party."""

    LAWS_AND_REGULATIONS = (
        "laws_and_regulations",
        _("Required by laws and regulations (art. 27(1)(i))"),
    )
    PROTECTION_OF_LIFE = (
        "protection_of_life",
        _("Protection of a person's life, body or property (art. 27(1)(ii))"),
    )
    STATE_COOPERATION = (
        "state_cooperation",
        _("Cooperation with a state institution or local government (art. 27(1)(iv))"),
    )
    CONSENT = "consent", _("Consent of the person (art. 27(1))")
    OTHER = "other", _("Other (explained below)")


class DisclosureLog(models.Model):
    case_file = models.ForeignKey(
        CaseFile, on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("case file")
    )
    recipient_kind = models.CharField(_("recipient"), max_length=20, choices=RecipientKind.choices)
    recipient_name = models.CharField(
        _("recipient's name"),
        max_length=200,
        help_text=_("The station, company or law firm, and the person who received it."),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=30, choices=LegalBasis.choices)
    legal_basis_detail = models.TextField(
        _("legal basis in detail"),
        max_length=2_000,
        blank=True,
        help_text=_("The law, the request's number or the circumstances."),
    )
    disclosed = models.TextField(
        _("what was disclosed"),
        max_length=5_000,
        help_text=_("Which reports, evidence and personal data were handed over, and how."),
    )
    disclosed_at = models.DateTimeField(_("disclosed at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # The audit view pages through (recorded_at, id) backwards: an index in that order.
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        verbose_name = _("disclosure to a third party")
        verbose_name_plural = _("disclosures to third parties")
        triggers = [append_only()]
        indexes = [models.Index(fields=["recorded_at", "id"], name="audit_disclosure_recorded")]

    def __str__(self) -> str:
        return f"{self.case_file_id} {self.recipient_kind} {self.disclosed_at:%Y-%m-%d}"

"""Decisions on a case file: what the company does about a candidate, under the policy."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import TestCenter
from policy.models import Category, PolicyVersion, full_history

from .candidates import CaseFile
from .reports import Legitimacy


class Outcome(models.TextChoices):
    LEGITIMATE_COMPLAINT = "legitimate_complaint", _("Not harassment: a legitimate complaint")
    NO_ACTION = "no_action", _("No action")
    CAUTION = "caution", _("Caution")
    WRITTEN_WARNING = "written_warning", _("Written warning")
    TESTING_REFUSED = "testing_refused", _("Testing refused")
    POLICE_REFERRAL = "police_referral", _("Referral to the police")
    CLIENT_NOTIFIED = "client_notified", _("Test organiser (client) notified")
    LEGAL_ACTION = "legal_action", _("Legal action")


# The policy's most serious measures: they take a second person, a manager, to come into force.
NEEDS_APPROVAL = (Outcome.TESTING_REFUSED, Outcome.LEGAL_ACTION)
# Outcomes that a notice to the candidate is printed for.
NOTIFIED_TO_CANDIDATE = (Outcome.CAUTION, Outcome.WRITTEN_WARNING, Outcome.TESTING_REFUSED)


class DecisionState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, awaiting approval")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded")
    REJECTED = "rejected", _("Rejected")


# Each state a decision may move to, and from where (one table, checked in one place).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    DecisionState.PROPOSED: (DecisionState.IN_FORCE, DecisionState.REJECTED),
    DecisionState.IN_FORCE: (DecisionState.EXPIRED, DecisionState.SUPERSEDED),
    DecisionState.EXPIRED: (),
    DecisionState.SUPERSEDED: (),
    DecisionState.REJECTED: (),
}


class Scope(models.TextChoices):
    ALL_CENTERS = "all_centers", _("All centers")
    LISTED_CENTERS = "listed_centers", _("The centers listed")
    CLIENT = "client", _("One client's exams")


class MannerAssessment(models.TextChoices):
    INAPPROPRIATE = "inappropriate", _("Yes: socially inappropriate, harming the staff's work")
    APPROPRIATE = "appropriate", _("No: the manner was acceptable")
    UNSURE = "unsure", _("Not sure")


@pghistory.track(*full_history())
class Decision(models.Model):
    case_file = models.ForeignKey(
        CaseFile, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("case file")
    )
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=DecisionState.choices, default=DecisionState.PROPOSED
    )
    # The policy's two-part test.
    demand_legitimacy = models.CharField(
        _("was the demand itself legitimate?"), max_length=10, choices=Legitimacy.choices
    )
    manner = models.CharField(
        _("was the manner socially inappropriate?"),
        max_length=20,
        choices=MannerAssessment.choices,
    )
    rationale = models.TextField(_("rationale"))
    categories = models.ManyToManyField(
        Category,
        through="DecisionCategory",
        related_name="+",
        blank=True,
        verbose_name=_("behaviours cited"),
    )
    policy_version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("policy version")
    )
    # For testing_refused: the period and where it applies.
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    indefinite_reason = models.TextField(_("why without an end"), blank=True)
    scope = models.CharField(_("applies to"), max_length=20, choices=Scope.choices, blank=True)
    scope_centers = models.ManyToManyField(
        TestCenter,
        through="DecisionCenter",
        related_name="+",
        blank=True,
        verbose_name=_("centers"),
    )
    scope_client = models.CharField(_("client"), max_length=200, blank=True)

    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the approval or rejection"), blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [
            models.Index(fields=["case_file", "state"], name="decision_case_file_state"),
            models.Index(fields=["state", "ends_on"], name="decision_state_ends_on"),
        ]
        constraints = [
            # The two-person rule, in the database too: a refusal of testing or legal action
            # that was ever in force was approved by someone other than its proposer.
            models.CheckConstraint(
                condition=~Q(outcome__in=[o.value for o in NEEDS_APPROVAL])
                | Q(state__in=[DecisionState.PROPOSED, DecisionState.REJECTED])
                | (Q(decided_by__isnull=False) & ~Q(decided_by=F("proposed_by"))),
                name="decision_two_person_rule",
            ),
            models.CheckConstraint(
                condition=~Q(state=DecisionState.REJECTED) | ~Q(decided_by=F("proposed_by")),
                name="decision_rejected_by_another",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.TESTING_REFUSED)
                | (Q(starts_on__isnull=False) & ~Q(scope="")),
                name="decision_refusal_has_period_and_scope",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="decision_ends_after_it_starts",
            ),
        ]
        triggers = [
            # The approver of a refusal or legal action must be a manager: the service checks
            # it, and so does the database, whatever path writes the row.
            pgtrigger.Trigger(
                name="decision_approved_by_a_manager",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                condition=pgtrigger.Q(
                    new__outcome__in=[o.value for o in NEEDS_APPROVAL],
                    new__state__in=[
                        DecisionState.IN_FORCE,
                        DecisionState.EXPIRED,
                        DecisionState.SUPERSEDED,
                    ],
                ),
                func=pgtrigger.Func(
                    """
                    IF NOT EXISTS (
                        SELECT 1 FROM accounts_membership
                        WHERE user_id = NEW.decided_by_id AND role = 'manager'
                    ) THEN
                        RAISE EXCEPTION 'decision %: a manager must approve it', NEW.id
                            USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                    """
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.get_state_display()})"

    @property
    def needs_approval(self) -> bool:
        return self.outcome in NEEDS_APPROVAL

    @property
    def is_restriction(self) -> bool:
        return self.outcome == Outcome.TESTING_REFUSED

    @property
    def has_notice(self) -> bool:
        return self.outcome in NOTIFIED_TO_CANDIDATE and self.state in (
            DecisionState.IN_FORCE,
            DecisionState.EXPIRED,
            DecisionState.SUPERSEDED,
        )


@pghistory.track(*full_history())
class DecisionCategory(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("behaviour cited")
        verbose_name_plural = _("behaviours cited")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "category"], name="decision_category_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision_id}: {self.category_id}"


@pghistory.track(*full_history())
class DecisionCenter(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="+")
    center = models.ForeignKey(TestCenter, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("center of a refusal")
        verbose_name_plural = _("centers of a refusal")
        constraints = [
            models.UniqueConstraint(fields=["decision", "center"], name="decision_center_unique")
        ]

    def __str__(self) -> str:
        return f"{self.decision_id}: {self.center_id}"

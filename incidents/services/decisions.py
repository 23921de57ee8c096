"""Decisions on a case file: propose, approve or reject (the two-person rule), supersede,
and expire. Every change of a case file's decisions bumps its revision: a decision made on
a page that showed an older revision is refused (services.cases.case_file_bump_revision), and
nothing typed is lost."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import TestCenter, User
from outbox.services import emails_send_on_commit
from policy.models import Category, PolicyVersion, PolicyVersionStatus

from ..models import (
    TRANSITIONS,
    CaseFile,
    Decision,
    DecisionCategory,
    DecisionCenter,
    DecisionState,
    EventKind,
    Outcome,
    Scope,
)
from ..selectors.access import can_work_on_case_file, may_approve
from .cases import case_file_bump_revision, reports_set_decided_at
from .errors import CaseFileChanged
from .mail import approval_request_emails, customer_service_email
from .timeline import record_event

# Raised here too, for the callers that catch it with the decision errors.
__all__ = ["CaseFileChanged"]


class DecisionError(Exception):
    """A decision the rules do not allow; the message is for the user."""


class DecisionInvalid(DecisionError):
    def __init__(self, problems: dict[str, str]):
        super().__init__(_("The decision is not complete."))
        self.problems = problems


@dataclass
class DecisionDraft:
    """What a reviewer decides, as the decision form collects it."""

    outcome: str
    demand_legitimacy: str
    manner: str
    rationale: str
    categories: list[Category] = field(default_factory=list)
    starts_on: date | None = None
    ends_on: date | None = None
    indefinite_reason: str = ""
    scope: str = ""
    scope_centers: list[TestCenter] = field(default_factory=list)
    scope_client: str = ""
    supersedes: Decision | None = None


def decision_problems(draft: DecisionDraft) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not draft.rationale.strip():
        problems["rationale"] = _("Explain the decision: the facts and how the policy applies.")
    if not draft.demand_legitimacy:
        problems["demand_legitimacy"] = _("Record whether the demand itself was legitimate.")
    if not draft.manner:
        problems["manner"] = _("Record whether the manner was socially inappropriate.")
    if draft.outcome != Outcome.LEGITIMATE_COMPLAINT and not draft.categories:
        problems["categories"] = _("Cite at least one behaviour from the policy.")
    if draft.outcome == Outcome.TESTING_REFUSED:
        if draft.starts_on is None:
            problems["starts_on"] = _("A refusal of testing starts on a date.")
        if draft.ends_on is None and not draft.indefinite_reason.strip():
            problems["ends_on"] = _("Give an end date, or say why the refusal has no end.")
        if draft.starts_on and draft.ends_on and draft.ends_on < draft.starts_on:
            problems["ends_on"] = _("The end cannot be before the start.")
        if not draft.scope:
            problems["scope"] = _("Say where the refusal applies.")
        elif draft.scope == Scope.LISTED_CENTERS and not draft.scope_centers:
            problems["scope_centers"] = _("Choose the centers the refusal applies to.")
        elif draft.scope == Scope.CLIENT and not draft.scope_client.strip():
            problems["scope_client"] = _("Name the client whose exams the refusal covers.")
    return problems


def _transition(decision: Decision, to: str, by: User, kind: str, note: str = "") -> None:
    if to not in TRANSITIONS[decision.state]:
        raise DecisionError(
            _("A decision that is “%(state)s” cannot change any more.")
            % {"state": decision.get_state_display()}
        )
    decision.state = to
    record_event(kind, actor=by, decision=decision, note=note)


def _come_into_force(decision: Decision, by: User) -> None:
    """In force now; the decision it replaces (if any) is superseded, never edited."""
    now = timezone.now()
    _transition(decision, DecisionState.IN_FORCE, by, EventKind.DECISION_IN_FORCE)
    decision.save()
    old = decision.supersedes
    if old is not None:
        old = Decision.objects.select_for_update().get(pk=old.pk)
        _transition(old, DecisionState.SUPERSEDED, by, EventKind.DECISION_SUPERSEDED)
        old.ended_at = now
        old.save(update_fields=["state", "ended_at"])


def decision_propose(
    *, case_file: CaseFile, by: User, expected_revision: int, draft: DecisionDraft
) -> Decision:
    """Record a decision. A refusal of testing or legal action waits for a manager's approval;
    every other outcome is in force at once."""
    problems = decision_problems(draft)
    if problems:
        raise DecisionInvalid(problems)
    with transaction.atomic():
        if not can_work_on_case_file(by, case_file):
            raise DecisionError(_("Only reviewers of this case file can decide on it."))
        case_file_bump_revision(case_file, expected_revision=expected_revision)
        if draft.supersedes is not None:
            old = Decision.objects.select_for_update().get(pk=draft.supersedes.pk)
            if old.case_file_id != case_file.pk or old.state != DecisionState.IN_FORCE:
                raise DecisionError(_("Only a decision in force on this case file is superseded."))
        policy = PolicyVersion.objects.get(status=PolicyVersionStatus.PUBLISHED)
        restriction = draft.outcome == Outcome.TESTING_REFUSED
        decision = Decision.objects.create(
            case_file=case_file,
            outcome=draft.outcome,
            demand_legitimacy=draft.demand_legitimacy,
            manner=draft.manner,
            rationale=draft.rationale.strip(),
            policy_version=policy,
            starts_on=draft.starts_on if restriction else None,
            ends_on=draft.ends_on if restriction else None,
            indefinite_reason=draft.indefinite_reason.strip() if restriction else "",
            scope=draft.scope if restriction else "",
            scope_client=draft.scope_client.strip() if draft.scope == Scope.CLIENT else "",
            proposed_by=by,
            supersedes=draft.supersedes,
        )
        DecisionCategory.objects.bulk_create(
            DecisionCategory(decision=decision, category=category) for category in draft.categories
        )
        if restriction and draft.scope == Scope.LISTED_CENTERS:
            DecisionCenter.objects.bulk_create(
                DecisionCenter(decision=decision, center=center) for center in draft.scope_centers
            )
        record_event(EventKind.DECISION_PROPOSED, actor=by, case_file=case_file, decision=decision)
        reports_set_decided_at(case_file.candidate_id)
        if not decision.needs_approval:
            decision.decided_by = by
            decision.decided_at = timezone.now()
            _come_into_force(decision, by)
        else:
            emails_send_on_commit(approval_request_emails(decision, by))
        if decision.outcome == Outcome.LEGITIMATE_COMPLAINT:
            # Not harassment: the policy values the complaint, so customer service answers it.
            record_event(
                EventKind.ROUTED_TO_CUSTOMER_SERVICE,
                actor=by,
                case_file=case_file,
                decision=decision,
            )
            emails_send_on_commit([customer_service_email(decision)])
    return decision


def decision_approve(
    *, decision: Decision, by: User, reason: str, expected_revision: int
) -> Decision:
    """A manager who did not propose it puts a refusal of testing or legal action in force."""
    return _decide(decision, by, reason, expected_revision, approve=True)


def decision_reject(
    *, decision: Decision, by: User, reason: str, expected_revision: int
) -> Decision:
    return _decide(decision, by, reason, expected_revision, approve=False)


def _decide(decision, by, reason, expected_revision, *, approve: bool) -> Decision:
    if not reason.strip():
        raise DecisionInvalid({"reason": _("Give the reason for your approval or rejection.")})
    with transaction.atomic():
        decision = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("supersedes")
            .get(pk=decision.pk)
        )
        if not decision.needs_approval or decision.state != DecisionState.PROPOSED:
            raise DecisionError(_("This decision is not waiting for approval."))
        if decision.proposed_by_id == by.pk:
            raise DecisionError(
                _("The person who proposed a decision cannot approve or reject it.")
            )
        if not may_approve(by, decision):
            raise DecisionError(_("Only a manager can approve or reject this decision."))
        case_file_bump_revision(decision.case_file, expected_revision=expected_revision)
        decision.decided_by = by
        decision.decided_at = timezone.now()
        decision.decision_reason = reason.strip()
        if approve:
            _come_into_force(decision, by)
        else:
            _transition(decision, DecisionState.REJECTED, by, EventKind.DECISION_REJECTED, reason)
            decision.save()
    return decision


def decisions_expire_due(*, today: date | None = None) -> int:
    """Refusals of testing whose end has passed are expired, each noted on the timeline.
    Run by Celery beat; safe to run any number of times and on several workers at once."""
    today = today or timezone.localdate()
    expired = 0
    while True:
        with transaction.atomic():
            # SKIP LOCKED: two sweeps at once share the work instead of waiting on each other.
            batch = list(
                Decision.objects.select_for_update(skip_locked=True)
                .filter(
                    state=DecisionState.IN_FORCE,
                    outcome=Outcome.TESTING_REFUSED,
                    ends_on__lt=today,
                )
                .order_by("pk")[:100]
            )
            for decision in batch:
                _transition(decision, DecisionState.EXPIRED, None, EventKind.DECISION_EXPIRED)
                decision.ended_at = timezone.now()
                decision.save(update_fields=["state", "ended_at"])
                case_file_bump_revision(decision.case_file)
            expired += len(batch)
        if len(batch) < 100:
            return expired

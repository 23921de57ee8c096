"""Decisions on a case file: the outcomes, the two-person rule, superseding, expiry, and the
optimistic lock that stops two reviewers deciding on the same stale page."""

import threading
from datetime import date, timedelta

import pytest
import time_machine
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from incidents.models import CaseFile, Decision, DecisionState, EventKind
from incidents.selectors.cases import (
    is_restriction_in_force,
    restrictions_in_force_q,
)
from incidents.services.decisions import (
    CaseFileChanged,
    DecisionDraft,
    DecisionError,
    DecisionInvalid,
    decision_approve,
    decision_propose,
    decision_reject,
    decisions_expire_due,
)
from policy.models import Category
from tests.helpers import file_report


@pytest.fixture
def case_file(staff_tokyo) -> CaseFile:
    report = file_report(staff_tokyo, candidate_id_entered="SR30000001")
    return report.candidate.case_file


def draft(outcome: str = "caution", **overrides) -> DecisionDraft:
    values = {
        "outcome": outcome,
        "demand_legitimacy": "no",
        "manner": "inappropriate",
        "rationale": "Shouted for forty minutes and photographed a name badge.",
        "categories": list(Category.objects.filter(code__in=["verbal_abuse"])),
    }
    if outcome == "testing_refused":
        values |= {
            "starts_on": timezone.localdate(),
            "ends_on": timezone.localdate() + timedelta(days=365),
            "scope": "all_centers",
        }
    values.update(overrides)
    return DecisionDraft(**values)


def propose(case_file, by, outcome="caution", **overrides) -> Decision:
    case_file.refresh_from_db()
    return decision_propose(
        case_file=case_file,
        by=by,
        expected_revision=case_file.revision,
        draft=draft(outcome, **overrides),
    )


def revision(case_file) -> int:
    case_file.refresh_from_db()
    return case_file.revision


@pytest.mark.parametrize(
    "outcome",
    [
        "legitimate_complaint",
        "no_action",
        "caution",
        "written_warning",
        "police_referral",
        "client_notified",
    ],
)
def test_outcomes_other_than_refusal_and_legal_action_are_in_force_at_once(
    case_file, supervisor_tokyo, outcome
):
    decision = propose(case_file, supervisor_tokyo, outcome)
    assert decision.state == DecisionState.IN_FORCE
    assert decision.policy_version.status == "published"
    kinds = list(case_file.timeline.filter(decision=decision).values_list("kind", flat=True))
    assert kinds[:2] == [EventKind.DECISION_PROPOSED, EventKind.DECISION_IN_FORCE]


@pytest.mark.parametrize("outcome", ["testing_refused", "legal_action"])
def test_refusal_and_legal_action_wait_for_a_manager_who_did_not_propose_them(
    case_file, supervisor_tokyo, manager, outcome
):
    decision = propose(case_file, supervisor_tokyo, outcome)
    assert decision.state == DecisionState.PROPOSED
    approved = decision_approve(
        decision=decision,
        by=manager,
        reason="The facts are clear.",
        expected_revision=revision(case_file),
    )
    assert (approved.state, approved.decided_by) == (DecisionState.IN_FORCE, manager)


def test_the_proposer_cannot_approve_even_as_a_manager(case_file, manager):
    decision = propose(case_file, manager, "testing_refused")
    with pytest.raises(DecisionError):
        decision_approve(
            decision=decision, by=manager, reason="Mine.", expected_revision=revision(case_file)
        )
    decision.refresh_from_db()
    assert decision.state == DecisionState.PROPOSED


@pytest.mark.parametrize(
    "approver", ["staff.tokyo", "supervisor.osaka", "supervisor.tokyo", "legal"]
)
def test_only_managers_approve(demo, case_file, manager, approver):
    decision = propose(case_file, manager, "testing_refused")
    with pytest.raises(DecisionError):
        decision_approve(
            decision=decision,
            by=demo[approver],
            reason="Agreed.",
            expected_revision=revision(case_file),
        )


def test_the_database_holds_the_two_person_rule_even_past_the_service(
    case_file, supervisor_tokyo, manager
):
    decision = propose(case_file, manager, "testing_refused")
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(state="in_force", decided_by=manager)
    other = propose(case_file, supervisor_tokyo, "legal_action")
    with pytest.raises(DatabaseError), transaction.atomic():
        # Approved by someone else, but not by a manager.
        Decision.objects.filter(pk=other.pk).update(state="in_force", decided_by=supervisor_tokyo)


def test_approval_and_rejection_need_a_reason(case_file, supervisor_tokyo, manager):
    decision = propose(case_file, supervisor_tokyo, "testing_refused")
    for act in (decision_approve, decision_reject):
        with pytest.raises(DecisionInvalid):
            act(decision=decision, by=manager, reason=" ", expected_revision=revision(case_file))
    rejected = decision_reject(
        decision=decision,
        by=manager,
        reason="Not enough evidence yet.",
        expected_revision=revision(case_file),
    )
    assert rejected.state == DecisionState.REJECTED
    assert case_file.timeline.filter(kind=EventKind.DECISION_REJECTED).count() == 1


def test_a_refusal_needs_a_start_a_scope_and_an_end_or_a_reason(case_file, supervisor_tokyo):
    with pytest.raises(DecisionInvalid) as invalid:
        propose(
            case_file, supervisor_tokyo, "testing_refused", starts_on=None, ends_on=None, scope=""
        )
    assert {"starts_on", "ends_on", "scope"} <= set(invalid.value.problems)
    indefinite = propose(
        case_file, supervisor_tokyo, "testing_refused", ends_on=None, indefinite_reason="Assault."
    )
    assert indefinite.ends_on is None and indefinite.state == "proposed"


def test_a_rationale_is_required(case_file, supervisor_tokyo):
    with pytest.raises(DecisionInvalid) as invalid:
        propose(case_file, supervisor_tokyo, rationale="")
    assert "rationale" in invalid.value.problems


def test_a_new_decision_supersedes_the_one_in_force_and_both_stay(
    case_file, supervisor_tokyo, manager
):
    warning = propose(case_file, supervisor_tokyo, "written_warning")
    refusal = propose(case_file, supervisor_tokyo, "testing_refused", supersedes=warning)
    warning.refresh_from_db()
    assert warning.state == DecisionState.IN_FORCE  # a proposal replaces nothing yet
    decision_approve(
        decision=refusal, by=manager, reason="Repeated.", expected_revision=revision(case_file)
    )
    warning.refresh_from_db()
    assert warning.state == DecisionState.SUPERSEDED and warning.ended_at
    assert warning.superseded_by == refusal
    kinds = set(case_file.timeline.values_list("kind", flat=True))
    assert {EventKind.DECISION_SUPERSEDED, EventKind.DECISION_IN_FORCE} <= kinds


def test_a_decision_in_force_is_never_edited_through_the_services(
    case_file, supervisor_tokyo, manager
):
    caution = propose(case_file, supervisor_tokyo, "caution")
    with pytest.raises(DecisionError):
        decision_approve(
            decision=caution, by=manager, reason="x", expected_revision=revision(case_file)
        )


def test_a_refusal_expires_after_its_end_date(case_file, supervisor_tokyo, manager):
    refusal = propose(
        case_file,
        supervisor_tokyo,
        "testing_refused",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    decision_approve(
        decision=refusal, by=manager, reason="Agreed.", expected_revision=revision(case_file)
    )
    with time_machine.travel(date(2026, 12, 31), tick=False):
        assert decisions_expire_due() == 0
    with time_machine.travel(date(2027, 1, 1), tick=False):
        assert decisions_expire_due() == 1
        assert decisions_expire_due() == 0  # a second run changes nothing
    refusal.refresh_from_db()
    assert refusal.state == DecisionState.EXPIRED
    assert case_file.timeline.filter(kind=EventKind.DECISION_EXPIRED, decision=refusal).count() == 1


def test_a_decision_on_a_stale_page_is_refused(case_file, supervisor_tokyo, supervisor_osaka):
    stale = revision(case_file)
    propose(case_file, supervisor_tokyo, "caution")
    with pytest.raises(CaseFileChanged):
        decision_propose(
            case_file=case_file, by=supervisor_tokyo, expected_revision=stale, draft=draft()
        )


@pytest.mark.django_db(transaction=True)
def test_two_supervisors_deciding_at_the_same_moment_one_wins(
    demo, staff_tokyo, supervisor_tokyo, manager
):
    case_file = file_report(staff_tokyo, candidate_id_entered="SR30000002").candidate.case_file
    seen = revision(case_file)
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def decide(index: int, by) -> None:
        try:
            barrier.wait()
            decision_propose(case_file=case_file, by=by, expected_revision=seen, draft=draft())
            outcomes[index] = "decided"
        except CaseFileChanged:
            outcomes[index] = "changed"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(0, supervisor_tokyo)),
        threading.Thread(target=decide, args=(1, manager)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["changed", "decided"]
    assert case_file.decisions.count() == 1


def test_a_legitimate_complaint_goes_to_customer_service_once(
    case_file, supervisor_tokyo, settings
):
    from django.core import mail

    from tests.helpers import deliver_outbox

    settings.CUSTOMER_SERVICE_EMAIL = "cs@example.com"
    propose(case_file, supervisor_tokyo, "legitimate_complaint", categories=[])
    assert case_file.timeline.filter(kind=EventKind.ROUTED_TO_CUSTOMER_SERVICE).count() == 1
    assert deliver_outbox("customer-service:") == 1
    assert deliver_outbox("customer-service:") == 0
    (message,) = mail.outbox
    assert message.to == ["cs@example.com"]
    reference = case_file.candidate.reports.get().reference
    assert reference in message.subject and reference in message.body
    assert "forty minutes" not in message.body and "SR30000001" not in message.body


def test_the_manager_sees_proposals_waiting_for_approval_on_her_home_page(
    case_file, supervisor_tokyo, manager
):
    from tests.helpers import client_for

    decision = propose(case_file, supervisor_tokyo, "testing_refused")
    page = client_for(manager, language="en").get("/").content.decode()
    assert "Waiting for your approval" in page and f'data-approval="{decision.pk}"' in page
    own = propose(case_file, manager, "legal_action")
    page = client_for(manager, language="en").get("/").content.decode()
    assert f'data-approval="{own.pk}"' not in page  # her own proposal is not hers to approve


def test_managers_but_the_proposer_are_emailed_that_a_decision_waits_for_them(
    case_file, supervisor_tokyo, manager
):
    from django.core import mail

    from accounts.models import Membership, User
    from tests.helpers import deliver_outbox

    second = User.objects.create_user("manager.two", staff_code="HQ-0902", email="m2@example.com")
    Membership.objects.create(user=second, role="manager")
    propose(case_file, supervisor_tokyo, "testing_refused")
    propose(case_file, supervisor_tokyo, "caution")  # in force at once: nobody to ask
    assert deliver_outbox("approval-request:") == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["m2@example.com", "manager@example.com"]
    mail.outbox.clear()
    own = propose(case_file, manager, "legal_action")
    assert deliver_outbox("approval-request:") == 1
    (message,) = mail.outbox
    assert message.to == ["m2@example.com"]  # never to the proposer herself
    assert f"/cases/{case_file.pk}/" in message.body
    assert str(own.case_file_id) in message.subject
    assert "forty minutes" not in message.body and "SR30000001" not in message.body


@pytest.mark.parametrize("days", [-1, 0, 100, 365, 366])
def test_the_case_file_page_and_the_query_agree_on_what_is_in_force(
    case_file, supervisor_tokyo, manager, days
):
    # A refusal of a year from today, approved; one only proposed; a warning: each asked on a
    # day before, at, within, at the end of and after the year.
    refusal = propose(case_file, supervisor_tokyo, "testing_refused")
    decision_approve(
        decision=refusal, by=manager, reason="Agreed.", expected_revision=revision(case_file)
    )
    proposed = propose(case_file, supervisor_tokyo, "testing_refused")
    warning = propose(case_file, supervisor_tokyo, "written_warning")
    on = timezone.localdate() + timedelta(days=days)

    for decision in Decision.objects.filter(pk__in=[refusal.pk, proposed.pk, warning.pk]):
        in_query = case_file.decisions.filter(restrictions_in_force_q(on), pk=decision.pk)
        assert is_restriction_in_force(decision, on) == in_query.exists(), (decision, days)
    assert is_restriction_in_force(Decision.objects.get(pk=refusal.pk), on) == (0 <= days <= 365)

"""The capability policy, one capability at a time, for every demo role and an outsider
(accounts/policy.py). Each row says who may; everyone else may not."""

import pytest

from accounts.models import TestCenter as Center
from accounts.policy import (
    ALL,
    ReportReading,
    capabilities_of,
    may_approve,
    may_download_evidence,
    may_follow_up_support,
    may_preview_policy_drafts,
    may_print_record_sheet,
    may_triage,
    monthly_summary_recipient_ids,
    recipient_ids,
    report_reading,
)
from tests.helpers import DEMO_ROLES, file_report

ROLES = (*DEMO_ROLES, "outsider")

# capability -> the roles that have it
WHO = {
    "files_reports": {"staff.tokyo", "staff.osaka", "supervisor.tokyo", "supervisor.osaka"},
    "reviews": {"supervisor.tokyo", "supervisor.osaka", "manager", "legal"},
    "reads_every_record": {"manager", "legal"},
    "approves_decisions": {"manager"},
    "sees_case_file_access_log": {"legal"},
    "cares_for_reporters": {"care"},
    "looks_up_at_checkin": {
        "staff.tokyo",
        "staff.osaka",
        "supervisor.tokyo",
        "supervisor.osaka",
        "manager",
        "legal",
    },
    "sees_every_escalation": {"manager", "legal"},
    # Personal API tokens (issue 14): everyone with a role; they see what she sees.
    "uses_api_tokens": set(DEMO_ROLES),
    "administers": {"admin"},
    "sees_mail_alerts": {"admin"},
    "opens_administration": {"admin"},
    "reads_policy_history": {"manager", "legal", "admin"},
    # A second factor after the password: everyone but front-desk staff (and the outsider,
    # who has no role) by default (MFA_REQUIRED_ROLES; tests/accounts/test_mfa.py).
    "needs_second_factor": {
        "supervisor.tokyo",
        "supervisor.osaka",
        "manager",
        "legal",
        "admin",
        "care",
    },
    "resets_second_factors": {"admin"},
    "reads_audit_trail": {"legal", "admin"},
    "records_disclosures": {"manager", "legal"},
    # Retention (issue 11): legal holds a case file; legal and managers answer a candidate's
    # request for their data.
    "holds_legally": {"legal"},
    "exports_subject_access": {"manager", "legal"},
    # Exports (issue 13): the case summary PDF is a disclosure; the queue's CSV is the queue.
    "exports_case_summaries": {"manager", "legal"},
    "exports_review_queue": {"supervisor.tokyo", "supervisor.osaka", "manager", "legal"},
    # The dashboard (issue 13): figures for who oversees centers, never about colleagues.
    "sees_dashboard": {"supervisor.tokyo", "supervisor.osaka", "manager", "legal"},
}


@pytest.mark.parametrize("capability", list(WHO))
def test_each_capability_belongs_to_its_roles(demo, capability):
    having = {role for role in ROLES if getattr(capabilities_of(demo[role]), capability)}
    assert having == WHO[capability]


def test_the_centers_of_each_role(demo):
    tokyo = Center.objects.get(code="TKY01").pk
    osaka = Center.objects.get(code="OSA01").pk
    reviewed = {role: capabilities_of(demo[role]).reviewed_center_ids for role in ROLES}
    assert reviewed["supervisor.tokyo"] == {tokyo} and reviewed["supervisor.osaka"] == {osaka}
    assert reviewed["manager"] is ALL and reviewed["legal"] is ALL
    assert reviewed["staff.tokyo"] == frozenset() and reviewed["admin"] == frozenset()
    assert capabilities_of(demo["staff.osaka"]).reporting_center_ids == {osaka}
    assert capabilities_of(demo["manager"]).reporting_center_ids == frozenset()
    assert capabilities_of(demo["care"]).cares_for_center_ids is ALL  # a membership for all
    assert capabilities_of(demo["manager"]).checkin_center_ids is ALL
    assert capabilities_of(demo["staff.tokyo"]).checkin_center_ids == {tokyo}


def test_how_each_role_reads_a_report_with_a_support_request(demo, staff_tokyo):
    report = file_report(staff_tokyo, support_requested=True)
    reading = {role: report_reading(demo[role], report) for role in ROLES}
    assert {r for r, how in reading.items() if how is ReportReading.FULL} == {
        "staff.tokyo",
        "supervisor.tokyo",
        "manager",
        "legal",
    }
    assert {r for r, how in reading.items() if how is ReportReading.SUPPORT} == {"care"}
    assert {r for r in ROLES if may_download_evidence(demo[r], report)} == {
        "staff.tokyo",
        "supervisor.tokyo",
        "manager",
        "legal",
    }
    assert {r for r in ROLES if may_triage(demo[r], report)} == {
        "supervisor.tokyo",
        "manager",
        "legal",
    }
    assert {r for r in ROLES if may_follow_up_support(demo[r], report)} == {
        "supervisor.tokyo",
        "care",
    }


def test_who_prints_the_record_sheet_of_a_report(demo, staff_tokyo):
    """Who keeps its center's records: not the reporter, not the other center's supervisor."""
    report = file_report(staff_tokyo)
    assert {r for r in ROLES if may_print_record_sheet(demo[r], report)} == {
        "supervisor.tokyo",
        "manager",
        "legal",
    }
    draft = file_report(staff_tokyo, submit=False)
    assert not any(may_print_record_sheet(demo[r], draft) for r in ROLES)


def test_a_draft_is_its_reporters_alone(demo, staff_tokyo):
    draft = file_report(staff_tokyo, submit=False, support_requested=True)
    readers = {r for r in ROLES if report_reading(demo[r], draft) is not ReportReading.NONE}
    assert readers == {"staff.tokyo"}


def test_the_two_person_rule(demo, supervisor_tokyo, manager, staff_tokyo):
    from incidents.models import CaseFile
    from incidents.services.decisions import decision_propose
    from tests.incidents.test_decisions import draft, revision

    file_report(staff_tokyo, candidate_id_entered="SR81000001")
    case_file = CaseFile.objects.get(candidate__candidate_id="SR81000001")
    refusal = decision_propose(
        case_file=case_file,
        by=supervisor_tokyo,
        expected_revision=revision(case_file),
        draft=draft("testing_refused"),
    )
    assert {r for r in ROLES if may_approve(demo[r], refusal)} == {"manager"}
    own = decision_propose(
        case_file=case_file,
        by=manager,
        expected_revision=revision(case_file),
        draft=draft("legal_action"),
    )
    assert not may_approve(manager, own)


def test_who_a_rule_tells_by_role(demo):
    tokyo = Center.objects.get(code="TKY01").pk
    told = recipient_ids(["supervisor", "staff_care", "manager"], tokyo)
    names = {demo[r].pk: r for r in ROLES}
    assert {names[pk] for pk in told if pk in names} == {"supervisor.tokyo", "care", "manager"}
    assert recipient_ids([], tokyo) == set()


def test_only_those_who_edit_the_policy_preview_its_drafts(demo):
    assert {r for r in ROLES if may_preview_policy_drafts(demo[r])} == {"admin"}


def test_an_inactive_account_may_do_nothing(demo):
    manager = demo["manager"]
    manager.is_active = False
    assert not capabilities_of(manager).reviews


def test_the_second_factor_follows_the_settings_per_role_and_for_everyone(demo, settings):
    settings.MFA_REQUIRED_ROLES = ["manager"]
    asked = {r for r in ROLES if capabilities_of(demo[r]).needs_second_factor}
    assert asked == {"manager", "admin"}  # admin: everyone who opens Django admin
    settings.MFA_REQUIRED_FOR_EVERY_ROLE = True
    assert all(capabilities_of(demo[r]).needs_second_factor for r in ROLES)


def test_only_front_desk_staff_keep_a_long_idle_session(demo, settings):
    """Everyone else (and anyone without a role) ends after 30 idle minutes."""
    long_idle = {
        r
        for r in ROLES
        if capabilities_of(demo[r]).idle_timeout_seconds == settings.SESSION_IDLE_STAFF_SECONDS
    }
    assert long_idle == {"staff.tokyo", "staff.osaka"}
    assert capabilities_of(demo["manager"]).idle_timeout_seconds == 30 * 60


def test_the_dashboard_centers_and_the_monthly_summary_of_each_role(demo):
    tokyo = Center.objects.get(code="TKY01").pk
    osaka = Center.objects.get(code="OSA01").pk
    centers = {role: capabilities_of(demo[role]).dashboard_center_ids for role in ROLES}
    assert centers["manager"] is ALL and centers["legal"] is ALL
    assert centers["supervisor.tokyo"] == {tokyo} and centers["supervisor.osaka"] == {osaka}
    nothing = {"staff.tokyo", "staff.osaka", "care", "admin", "outsider"}
    assert {role for role in ROLES if centers[role] == frozenset()} == nothing
    assert monthly_summary_recipient_ids() == {demo["manager"].pk}

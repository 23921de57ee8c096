"""The capability policy: who may see and do what (DESIGN.md §8). The one module that reads
roles and memberships.

Every selector, view, service, task, e-mail recipient list, admin page and template asks it
(templates through ``can`` in their context); nothing else tests a role
(tests/test_capability_policy.py fails when something does). A capability is named for what
it allows, not for the roles that have it today, so that moving a capability from one role to
another is a change here alone.

Capabilities that need to know about a report or a decision take it duck-typed (its center,
its reporter, who proposed it): the policy is upstream of the incidents app and imports none
of it. Turning "which centers" into querysets is the selectors' work (incidents/selectors).

To add a capability: a property on :class:`Capabilities` (or a function here taking the user
and the object), a test in tests/accounts/test_policy.py for every demo role, and the page,
selector or service that asks it. Never ``if user has role X`` anywhere else.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from .models import CENTER_ROLES, Membership, Role, User

# Where a capability holds in every center, the center set is ALL (None): "every center" is
# not the same as "the centers that exist today".
ALL = None
CenterScope = frozenset[int] | None

# Roles told of a report's escalation at the report's own center; the others wherever they work.
CENTER_BOUND_RECIPIENTS = (Role.SUPERVISOR, Role.STAFF_CARE)


@dataclass(frozen=True)
class Capabilities:
    """What one user may do, read once per request from their memberships."""

    roles: frozenset[str]
    centers_by_role: dict[str, frozenset[int]]
    # Staff care holds for every center when a staff-care membership names none.
    care_everywhere: bool = False
    # Django admin lets in staff accounts (``is_staff``), which an administrator grants.
    opens_administration: bool = False

    @property
    def fingerprint(self) -> tuple:
        """All these capabilities are made of, hashable: two users with the same fingerprint
        may see and do the same (a cache of what depends on it keys on it)."""
        return (
            self.roles,
            frozenset(self.centers_by_role.items()),
            self.care_everywhere,
            self.opens_administration,
        )

    def _centers(self, *roles: str) -> frozenset[int]:
        ids: set[int] = set()
        for role in roles:
            ids |= self.centers_by_role.get(role, frozenset())
        return frozenset(ids)

    def _has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def signed_in_with_a_role(self) -> bool:
        return bool(self.roles)

    # --- Filing reports -----------------------------------------------------------------
    @property
    def reporting_center_ids(self) -> frozenset[int]:
        """Staff and supervisors file reports for their own centers (DESIGN.md §1)."""
        return self._centers(*CENTER_ROLES)

    @property
    def files_reports(self) -> bool:
        return bool(self.reporting_center_ids)

    # --- Reviewing ------------------------------------------------------------------------
    @property
    def supervised_center_ids(self) -> frozenset[int]:
        return self._centers(Role.SUPERVISOR)

    @property
    def reads_every_record(self) -> bool:
        """Managers and legal read every submitted report, in full (DESIGN.md §8)."""
        return self._has(Role.MANAGER, Role.LEGAL)

    @property
    def reviewed_center_ids(self) -> CenterScope:
        """The centers whose reports this user reviews: ALL, or a set (maybe empty)."""
        if self.reads_every_record:
            return ALL
        return self.supervised_center_ids

    @property
    def reviews(self) -> bool:
        return self.reviewed_center_ids is ALL or bool(self.reviewed_center_ids)

    @property
    def approves_decisions(self) -> bool:
        """The second person of the two-person rule: a manager."""
        return self._has(Role.MANAGER)

    @property
    def sees_case_file_access_log(self) -> bool:
        """Who opened a case file: legal and compliance answers for it."""
        return self._has(Role.LEGAL)

    @property
    def holds_legally(self) -> bool:
        """A legal hold keeps a case file past its retention period (issue 11): legal and
        compliance decide what a dispute or an inquiry needs kept."""
        return self._has(Role.LEGAL)

    @property
    def exports_subject_access(self) -> bool:
        """A candidate's request for the data held on them (APPI) is answered by legal or a
        manager, from the case file: they read every record, so nothing is left out."""
        return self._has(Role.MANAGER, Role.LEGAL)

    # --- Staff care -----------------------------------------------------------------------
    @property
    def cares_for_center_ids(self) -> CenterScope:
        """The centers whose reporters' support requests this user reads (as a support
        request: never the candidate, the demand, the narrative or the evidence)."""
        if self.care_everywhere:
            return ALL
        return self._centers(Role.STAFF_CARE)

    @property
    def cares_for_reporters(self) -> bool:
        return self.care_everywhere or bool(self._centers(Role.STAFF_CARE))

    # --- Check-in -------------------------------------------------------------------------
    @property
    def looks_up_at_checkin(self) -> bool:
        """Staff and supervisors of a center, managers and legal. Not administrators, who
        run the portal but have no business with candidates."""
        return self.files_reports or self.reads_every_record

    @property
    def checkin_center_ids(self) -> CenterScope:
        """Where a restriction to listed centers concerns this user at the desk."""
        return ALL if self.reads_every_record else self.reporting_center_ids

    # --- Escalations ----------------------------------------------------------------------
    @property
    def sees_every_escalation(self) -> bool:
        return self.reads_every_record

    # --- The API (issue 14) ----------------------------------------------------------------
    @property
    def uses_api_tokens(self) -> bool:
        """Personal API tokens act as their owner and see what she sees in the browser, so
        anyone with a role may make them; without a role there is nothing to see."""
        return self.signed_in_with_a_role

    # --- Running the portal ---------------------------------------------------------------
    @property
    def administers(self) -> bool:
        return self._has(Role.ADMIN)

    @property
    def resets_second_factors(self) -> bool:
        """Removes someone's second-factor devices when she lost them all (mfa/services.py):
        the administrators, who manage accounts."""
        return self.administers

    # --- Signing in (issue 11) ------------------------------------------------------------
    @property
    def needs_second_factor(self) -> bool:
        """A second factor after the password (DESIGN.md §8): the roles that read many
        people's records or run the portal (MFA_REQUIRED_ROLES), everyone who may open Django
        admin, and everyone at all when MFA_REQUIRED_FOR_EVERY_ROLE (front-desk staff sign in
        with a password alone otherwise)."""
        if settings.MFA_REQUIRED_FOR_EVERY_ROLE or self.opens_administration:
            return True
        return self._has(*settings.MFA_REQUIRED_ROLES)

    @property
    def sees_mail_alerts(self) -> bool:
        """Mail that is not leaving is the administrators' to act on (the outbox banner)."""
        return self.administers

    @property
    def reads_policy_history(self) -> bool:
        return self._has(Role.MANAGER, Role.LEGAL, Role.ADMIN)

    # --- The dashboard (issue 13) -----------------------------------------------------------
    @property
    def dashboard_center_ids(self) -> CenterScope:
        """The centers whose figures this user sees on the dashboard: managers and legal every
        center, supervisors their own. Front-desk staff and staff care none: figures about
        their colleagues are not theirs to read (and no figure anywhere is per staff member:
        reporting never counts against anyone, DESIGN.md §8)."""
        if self._has(Role.MANAGER, Role.LEGAL):
            return ALL
        return self.supervised_center_ids

    @property
    def sees_dashboard(self) -> bool:
        return self.dashboard_center_ids is ALL or bool(self.dashboard_center_ids)

    # --- Sessions (issue 11) -----------------------------------------------------------------
    @property
    def idle_timeout_seconds(self) -> int:
        """How long her session may sit idle (ASVS 3.3.2, accounts/sessions.py). Front-desk
        staff alone keep SESSION_IDLE_STAFF_SECONDS (a working day at a shared tablet); every
        other role reads or decides on many people's records, or runs the portal, and so
        does anyone who may open Django admin: SESSION_IDLE_PRIVILEGED_SECONDS (30 minutes).
        No role at all is the shorter too."""
        if self.roles == {Role.STAFF} and not self.opens_administration:
            return settings.SESSION_IDLE_STAFF_SECONDS
        return settings.SESSION_IDLE_PRIVILEGED_SECONDS

    # --- Audit (issue 11) ---------------------------------------------------------------
    @property
    def reads_audit_trail(self) -> bool:
        """The audit view (every change, case-file read and check-in lookup): legal answers
        for the records, administrators run the portal."""
        return self._has(Role.LEGAL, Role.ADMIN)

    @property
    def records_disclosures(self) -> bool:
        """Hand-overs to the police, the test organiser or a lawyer are made by legal and
        managers: they record them on the case file and read its disclosure log (APPI
        art. 29)."""
        return self._has(Role.MANAGER, Role.LEGAL)

    # --- Exports (issue 13) -------------------------------------------------------------
    @property
    def exports_case_summaries(self) -> bool:
        """The case summary PDF for the police, the test organiser or a lawyer is a
        disclosure: made by those who record disclosures and read every record, so that
        nothing is left out by their own scope (only by the recipient's)."""
        return self.records_disclosures and self.reads_every_record

    @property
    def exports_review_queue(self) -> bool:
        """The queue as CSV, for whoever has the queue: the same rows, the same scope."""
        return self.reviews


NOTHING = Capabilities(roles=frozenset(), centers_by_role={})


def capabilities_of(user: User | AnonymousUser) -> Capabilities:
    """The capabilities of ``user``, read once per user object and cached on it."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_capabilities", None)
    if cached is not None:
        return cached
    roles: set[str] = set()
    centers: dict[str, set[int]] = {}
    care_everywhere = False
    with connection.cursor() as cursor:  # the primary's: access follows every change at once
        cursor.execute(_memberships_sql(), [user.pk])
        memberships = cursor.fetchall()
    for role, center_id in memberships:
        roles.add(role)
        if center_id is not None:
            centers.setdefault(role, set()).add(center_id)
        elif role == Role.STAFF_CARE:
            care_everywhere = True
    if user.is_superuser:
        roles.add(Role.ADMIN)
    capabilities = Capabilities(
        roles=frozenset(roles),
        centers_by_role={role: frozenset(ids) for role, ids in centers.items()},
        care_everywhere=care_everywhere,
        opens_administration=user.is_staff,
    )
    user._capabilities = capabilities
    return capabilities


@functools.cache
def _memberships_sql() -> str:
    """One user's memberships (role, center), as Django writes the query, compiled once per
    process: every page reads them, and building the queryset cost four times what running
    it does."""
    query = Membership.objects.filter(user_id=0).values_list("role", "center_id").query
    sql, params = query.sql_with_params()
    if params != (0,):  # the user's key must be its one value, given at each call
        raise RuntimeError(f"memberships' query has other values: {params}")
    return sql


def memberships_of(user: User):
    """The roles of ``user`` where she holds them, for her home page."""
    return Membership.objects.filter(user=user).select_related("center").order_by("role")


def within(center_id: int | None, scope: CenterScope) -> bool:
    return scope is ALL or center_id in scope


# --- Reports ----------------------------------------------------------------------------------


class ReportReading(enum.Enum):
    """How a user reads one submitted report."""

    FULL = "full"  # everything: candidate, demand, narrative, evidence, notes, events
    SUPPORT = "support"  # who asked for support, reference, date, center, categories
    NONE = "none"


def report_reading(user: User, report) -> ReportReading:
    """The reporter, the reviewers of its center, managers and legal read a report in full;
    the staff-care contact of its center reads a support request as one; nobody else reads it
    here (a case file shows other centers' reports as summary lines: see its selector)."""
    can = capabilities_of(user)
    if report.reporter_id == user.pk and can.signed_in_with_a_role:
        return ReportReading.FULL
    if not report.is_record:
        return ReportReading.NONE
    if within(report.center_id, can.reviewed_center_ids) and can.reviews:
        return ReportReading.FULL
    cares = can.cares_for_reporters and within(report.center_id, can.cares_for_center_ids)
    if report.support_requested and cares:
        return ReportReading.SUPPORT
    return ReportReading.NONE


def may_triage(user: User, report) -> bool:
    """Reviewers of the report's center (managers and legal everywhere) triage a record."""
    can = capabilities_of(user)
    return report.is_record and can.reviews and within(report.center_id, can.reviewed_center_ids)


def may_print_record_sheet(user: User, report) -> bool:
    """The one-page record sheet of an incident (the MHLW manual's record form) is printed by
    who keeps the records of its center: its supervisors, managers and legal, who triage it."""
    return may_triage(user, report)


def may_download_evidence(user: User, report) -> bool:
    return report_reading(user, report) is ReportReading.FULL


def may_follow_up_support(user: User, report) -> bool:
    """The reporter's supervisors and the staff-care contact record the care given."""
    if not report.support_requested:
        return False
    can = capabilities_of(user)
    supervises = report.center_id in can.supervised_center_ids
    cares = can.cares_for_reporters and within(report.center_id, can.cares_for_center_ids)
    return supervises or cares


def may_preview_policy_drafts(user: User) -> bool:
    """Who edits the policy (a Django permission an administrator grants) sees its drafts."""
    return user.has_perm("policy.change_policyversion")


# --- Decisions --------------------------------------------------------------------------------


def may_approve(user: User, decision) -> bool:
    """The two-person rule: a manager who did not propose it."""
    return (
        decision.needs_approval
        and capabilities_of(user).approves_decisions
        and decision.proposed_by_id != user.pk
    )


# --- Who is told ------------------------------------------------------------------------------


def recipient_ids(roles: list[str], center_id: int) -> set[int]:
    """The people an escalation rule's roles name for a report of ``center_id``: supervisors
    and staff-care contacts of that center (or of every center), managers and legal wherever
    they are."""
    if not roles:
        return set()
    memberships = Membership.objects.none()
    for role in roles:
        if role in CENTER_BOUND_RECIPIENTS:
            memberships |= Membership.objects.filter(role=role, center_id=center_id)
            memberships |= Membership.objects.filter(role=role, center__isnull=True)
        else:
            memberships |= Membership.objects.filter(role=role)
    return set(memberships.values_list("user_id", flat=True))


def approver_ids() -> set[int]:
    """Everyone who may approve a decision that needs a second person."""
    return set(Membership.objects.filter(role=Role.MANAGER).values_list("user_id", flat=True))


def monthly_summary_recipient_ids() -> set[int]:
    """Who gets the headline figures of a month by e-mail on the first working day of the
    next (dashboard/services.py): managers, on whom the 2025 law's duty to know what happens
    at the counters falls. Legal hears of each serious case as it happens (escalations) and
    reads the dashboard when it needs figures."""
    return set(Membership.objects.filter(role=Role.MANAGER).values_list("user_id", flat=True))

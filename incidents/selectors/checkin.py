"""The check-in lookup: whether a candidate may sit an exam today, and nothing more
(DESIGN.md §4). The desk sees the restriction, its end, where it applies and whom to call;
never the incidents, categories or people behind it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.db.models import F, Prefetch
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import TestCenter, User
from accounts.policy import ALL, capabilities_of

from ..models import (
    CANDIDATE_ID_PATTERN,
    Candidate,
    Decision,
    Scope,
    normalise_candidate_id,
)
from .cases import restrictions_in_force_q

logger = logging.getLogger(__name__)

# How far a chain of merged records is followed. A merge points at the record that carries on;
# a chain longer than this is a data error, and what was reached so far is still answered.
MERGE_STEPS = 5

CONTACT_SUPERVISOR = _("Contact your supervisor before check-in")
SCOPE_LABELS = {
    Scope.ALL_CENTERS: _("At every test center"),
    Scope.LISTED_CENTERS: _("At the listed test centers"),
    Scope.CLIENT: _("Only for the exams of one client"),
}


@dataclass(frozen=True)
class CheckinRestriction:
    """What the check-in desk may know of a restriction in force. Deliberately not the
    ``Decision``: a template given the decision could reach the case file and its reports."""

    until: date | None  # None: without an end date
    scope_label: str | Promise  # translated when shown, in the reader's language
    centers: tuple[str, ...]  # center codes, for a restriction to listed centers
    client: str  # the client, for a restriction to one client's exams
    contact: str | Promise


def may_look_up_at_checkin(user: User) -> bool:
    return capabilities_of(user).looks_up_at_checkin


def ensure_checkin_access(user: User) -> None:
    """404 for anyone else, as for every object they may not see."""
    if not may_look_up_at_checkin(user):
        raise Http404("No check-in lookup.")


def restrictions_for_checkin(user: User, candidate_id: str) -> list[CheckinRestriction]:
    """The refusals of testing in force today for the candidate with exactly this ID (after
    normalisation), that apply where ``user`` works; the most lasting first. An unknown ID
    and a candidate without a restriction both give an empty list."""
    ensure_checkin_access(user)
    candidate_id = normalise_candidate_id(candidate_id)
    if not CANDIDATE_ID_PATTERN.match(candidate_id):
        return []
    records = _records_of_the_same_person(candidate_id)
    if not records:
        return []

    decisions = (
        Decision.objects.filter(restrictions_in_force_q(), case_file__candidate__in=records)
        .only("ends_on", "scope", "scope_client")
        .prefetch_related(
            Prefetch("scope_centers", queryset=TestCenter.objects.only("code").order_by("code"))
        )
        .order_by(F("ends_on").desc(nulls_first=True), "id")
    )
    own_centers = capabilities_of(user).checkin_center_ids
    restrictions = []
    for decision in decisions:
        centers = list(decision.scope_centers.all())
        if (
            decision.scope == Scope.LISTED_CENTERS
            and own_centers is not ALL
            and not own_centers & {center.pk for center in centers}
        ):
            continue
        restrictions.append(
            CheckinRestriction(
                until=decision.ends_on,
                # An unknown scope is shown rather than hidden: at the desk, a missed
                # refusal is worse than a question to the supervisor.
                scope_label=SCOPE_LABELS.get(decision.scope, SCOPE_LABELS[Scope.ALL_CENTERS]),
                centers=tuple(center.code for center in centers)
                if decision.scope == Scope.LISTED_CENTERS
                else (),
                client=decision.scope_client if decision.scope == Scope.CLIENT else "",
                contact=CONTACT_SUPERVISOR,
            )
        )
    return restrictions


def _records_of_the_same_person(candidate_id: str) -> set[int]:
    """The candidate with exactly ``candidate_id`` (never a partial match), the record it was
    merged into (following a chain), and the records merged into that one: all the same
    person, so a refusal on any of them applies, whatever the merge did with the decisions."""
    found = (
        Candidate.objects.filter(candidate_id=candidate_id)
        .values_list("pk", "merged_into_id")
        .first()
    )
    if found is None:
        return set()
    survivor, merged_into = found
    records = {survivor}
    for _step in range(MERGE_STEPS):
        if merged_into is None or merged_into in records:
            break
        survivor = merged_into
        records.add(survivor)
        merged_into = (
            Candidate.objects.filter(pk=survivor).values_list("merged_into_id", flat=True).get()
        )
    if merged_into is not None and merged_into not in records:
        logger.warning("Candidate %s: merge chain longer than %s steps", survivor, MERGE_STEPS)
    frontier = {survivor}
    for _step in range(MERGE_STEPS):
        frontier = (
            set(Candidate.objects.filter(merged_into__in=frontier).values_list("pk", flat=True))
            - records
        )
        if not frontier:
            break
        records |= frontier
    return records

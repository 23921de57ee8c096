"""Support requests: the reports whose reporter asked for support, as those who record the
care given see them (the staff-care contact, the reporter's supervisors).

A row here is a :class:`SupportRequestRow`, not the report: like the support-request page
(selectors.reports.SupportRequest), it holds who asked, the reference, the date, the center,
the behaviours and the follow-ups' count, never the candidate, the demand, the narrative or
the evidence, so that no template given a row can show them by mistake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from accounts.models import User
from accounts.policy import ALL, CenterScope, capabilities_of
from policy.models import Category

from ..models import RECORD_STATUSES, IncidentReport, SupportFollowUp


class SupportState:
    WAITING = "waiting"  # no follow-up recorded yet
    FOLLOWED_UP = "followed_up"
    ALL = "all"


def support_center_scope(user: User) -> CenterScope:
    """The centers whose support requests ``user`` follows up (may_follow_up_support): those
    she cares for as the staff-care contact and those she supervises. ALL, or a set."""
    can = capabilities_of(user)
    cares = can.cares_for_center_ids if can.cares_for_reporters else frozenset()
    if cares is ALL:
        return ALL
    return frozenset(cares) | can.supervised_center_ids


def follows_up_support(user: User) -> bool:
    scope = support_center_scope(user)
    return scope is ALL or bool(scope)


def _support_requests_of(user: User) -> QuerySet[IncidentReport]:
    scope = support_center_scope(user)
    if scope is not ALL and not scope:
        return IncidentReport.objects.none()
    reports = IncidentReport.objects.filter(support_requested=True, status__in=RECORD_STATUSES)
    return reports if scope is ALL else reports.filter(center_id__in=scope)


def _follow_ups() -> QuerySet[SupportFollowUp]:
    return SupportFollowUp.objects.filter(report=OuterRef("pk"))


def support_requests(user: User, *, state: str = SupportState.WAITING) -> QuerySet:
    """The support requests of ``user``'s centers. Waiting ones oldest first (the longest
    waiting is the most urgent), followed-up ones by their last follow-up, newest first."""
    reports = _support_requests_of(user).annotate(
        followed_up=Exists(_follow_ups()),
        last_follow_up_at=Subquery(_follow_ups().order_by("-created_at").values("created_at")[:1]),
    )
    if state == SupportState.WAITING:
        reports = reports.filter(followed_up=False).order_by("submitted_at", "pk")
    elif state == SupportState.FOLLOWED_UP:
        reports = reports.filter(followed_up=True).order_by("-last_follow_up_at", "-pk")
    else:
        reports = reports.order_by("followed_up", "submitted_at", "pk")  # waiting first
    return reports.select_related("center", "reporter").prefetch_related(
        Prefetch("categories", queryset=Category.objects.order_by("order", "code"))
    )


def support_counts(user: User) -> dict[str, int]:
    """How many support requests wait for a follow-up and how many had one, in one query."""
    followed_up = Q(Exists(_follow_ups()))
    counted = _support_requests_of(user).aggregate(
        waiting=Count("pk", filter=~followed_up), followed_up=Count("pk", filter=followed_up)
    )
    waiting, followed = counted["waiting"], counted["followed_up"]
    return {
        SupportState.WAITING: waiting,
        SupportState.FOLLOWED_UP: followed,
        SupportState.ALL: waiting + followed,
    }


# The home page counts the support requests waiting up to this many ("1,000+" beyond): an
# exact count read every request of ten years where nobody recorded follow-ups (0.14 s at
# 200,000 reports); a thousand waiting says what there is to say.
SUPPORT_COUNT_LIMIT = 1_000


def support_waiting_count(user: User) -> int:
    """How many support requests wait for a follow-up (the home page's line), up to
    SUPPORT_COUNT_LIMIT + 1 (more than the limit: there are more). Read from the partial index
    report_support_requests, each probed for a follow-up, stopping at the limit."""
    waiting = _support_requests_of(user).exclude(Exists(_follow_ups())).order_by()
    return waiting.values("pk")[: SUPPORT_COUNT_LIMIT + 1].count()


@dataclass(frozen=True)
class SupportRequestRow:
    reference: str
    submitted_at: datetime
    center_code: str
    reporter_name: str
    reporter_staff_code: str
    categories: tuple[str, ...]
    last_follow_up_at: datetime | None


def support_request_rows(reports) -> list[SupportRequestRow]:
    return [
        SupportRequestRow(
            reference=report.reference,
            submitted_at=report.submitted_at,
            center_code=report.center.code,
            reporter_name=report.reporter.display_name,
            reporter_staff_code=report.reporter.staff_code,
            categories=tuple(category.name for category in report.categories.all()),
            last_follow_up_at=report.last_follow_up_at,
        )
        for report in reports
    ]

"""The policy's rules for a report, as pure functions: the suggested severity and what a
report needs before it can be submitted. Shared by the form (to explain) and the services
(to enforce)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from policy.models import Category, Severity

from .models import Channel, IncidentReport
from .models.reports import OCCURRED_AT_EARLIEST

# A clock on a tablet may run a little ahead of the server's.
CLOCK_TOLERANCE = timedelta(minutes=5)


def suggest_severity(
    categories: Iterable[Category], *, injury: bool, police_called: bool
) -> Severity:
    """The highest default severity of the behaviours named; an injury makes any report
    critical, and a call to the police makes it at least high."""
    severity = Severity.LOW
    for category in categories:
        severity = max(severity, Severity(category.default_severity), key=_rank)
    if police_called:
        severity = max(severity, Severity.HIGH, key=_rank)
    if injury:
        severity = Severity.CRITICAL
    return severity


def _rank(severity: Severity) -> int:
    return severity.rank


def is_in_future(moment) -> bool:
    return moment is not None and moment > timezone.now() + CLOCK_TOLERANCE


def occurred_at_problem(moment) -> str | None:
    """What is wrong with ``moment`` as the time of an incident, if anything: it must be
    time-zone aware, not in the future, and not before 2000 (the database refuses it)."""
    if moment is None:
        return None
    if timezone.is_naive(moment):
        return _("Give the time of the incident with its time zone.")
    if is_in_future(moment):
        return _("The time of the incident cannot be in the future.")
    if moment < OCCURRED_AT_EARLIEST:
        return _("The time of the incident cannot be before the year 2000.")
    return None


def submission_problems(report: IncidentReport, categories: list[Category]) -> dict[str, str]:
    """What is still missing before ``report`` can be submitted, field by field."""
    problems: dict[str, str] = {}
    required = _("This is needed before you submit.")
    if report.occurred_at is None:
        problems["occurred_at"] = required
    elif problem := occurred_at_problem(report.occurred_at):
        problems["occurred_at"] = problem
    if not report.channel:
        problems["channel"] = required
    if not report.narrative.strip():
        problems["narrative"] = _("Describe what happened.")
    if not report.demand_legitimacy:
        problems["demand_legitimacy"] = required
    if not categories:
        problems["categories"] = _("Choose at least one behaviour (use “Other” if none fits).")
    if report.channel == Channel.ONLINE and not report.online_url and not report.location:
        problems["online_url"] = _("Give the address of the post (a screenshot goes in evidence).")
    if report.injury and not report.injury_details.strip():
        problems["injury_details"] = _("Say who was hurt and how.")
    suggested = suggest_severity(
        categories, injury=report.injury, police_called=report.police_called
    )
    if report.severity and Severity(report.severity).rank < suggested.rank:
        problems["severity"] = _("The severity can be raised, not lowered, from the suggestion.")
    elif report.severity and report.severity != suggested and not report.severity_reason.strip():
        problems["severity_reason"] = _("Say why you raised the severity.")
    return problems

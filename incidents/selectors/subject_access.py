"""A candidate's request for the data held on them (APPI art. 33): everything the portal holds
about the candidate of one case file, with staff named only by their staff codes and other
people's data left out or redacted (DESIGN.md §8: staff names never leave the portal).

What is given: the candidate's own record (ID, name, contact, other IDs merged into it), each
of their submitted reports (when, where, the channel, the behaviours, what they demanded and
whether it was found legitimate, the exact words, what happened and how staff responded, the
reporter's additions) and every decision about them, in force or past. What is not: the
witnesses (other people), injuries (the staff's health data), internal notes and the
reviewers' corrections (deliberation, not data about the candidate), evidence files (handed
over separately, if at all, after review).

Free text is redacted: every user's full name (in either order, with or without a space), her
family name alone (how Japanese refer to a colleague), her username and e-mail address become
her staff code; the name and candidate ID of any other candidate become "[other person]".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from policy.models import Category

from ..models import RECORD_STATUSES, Candidate, CaseFile, IncidentReport

# Report fields that are the candidate's own conduct, as typed by staff: given, redacted.
REPORT_TEXT = ("location", "exam", "demand", "exact_words", "narrative", "staff_response")
# A family name this short ("林", "Li") would redact ordinary words: only full names then.
SHORTEST_FAMILY_NAME = 2


@dataclass(frozen=True)
class Redactor:
    pattern: re.Pattern | None
    replacements: dict[str, str]

    def __call__(self, text: str) -> str:
        if not text or self.pattern is None:
            return text
        return self.pattern.sub(lambda match: self.replacements[match.group(0).casefold()], text)


def _user_terms(user: User) -> set[str]:
    first, last = user.first_name.strip(), user.last_name.strip()
    terms = {user.username, user.email}
    if first and last:
        terms |= {f"{first} {last}", f"{last} {first}", f"{last}{first}", f"{first}{last}"}
        terms |= {f"{first}\u3000{last}", f"{last}\u3000{first}"}  # a full-width space
    if len(last) >= SHORTEST_FAMILY_NAME:
        terms.add(last)
    if len(first) >= SHORTEST_FAMILY_NAME and not first.isascii():
        terms.add(first)
    return {term for term in terms if term}


def subject_access_redactor(candidate_ids: list[int]) -> Redactor:
    """One pattern for every name to take out, longest first (a full name goes whole before
    its family name could match inside it). ASCII terms match as whole words, any case;
    Japanese has no spaces between words, so its terms match anywhere."""
    replacements: dict[str, str] = {}
    for user in User.objects.only("username", "email", "first_name", "last_name", "staff_code"):
        for term in _user_terms(user):
            replacements.setdefault(term.casefold(), user.staff_code)
    other = _("[other person]")
    others = Candidate.objects.exclude(pk__in=candidate_ids).only("candidate_id", "name")
    for candidate in others.exclude(name=""):
        replacements.setdefault(candidate.name.casefold(), other)
    for candidate_id in others.values_list("candidate_id", flat=True):
        replacements.setdefault(candidate_id.casefold(), other)
    if not replacements:
        return Redactor(None, {})
    alternatives = []
    for term in sorted(replacements, key=len, reverse=True):
        escaped = re.escape(term)
        alternatives.append(rf"(?<!\w){escaped}(?!\w)" if term.isascii() else escaped)
    return Redactor(re.compile("|".join(alternatives), re.IGNORECASE), replacements)


def _when(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def subject_access_export(case_file: CaseFile) -> dict:
    """The export as data (the JSON download and the printable page render the same)."""
    candidate = case_file.candidate
    merged = list(Candidate.objects.filter(merged_into=candidate).order_by("candidate_id"))
    candidate_ids = [candidate.pk, *(other.pk for other in merged)]
    redact = subject_access_redactor(candidate_ids)
    ordered = Category.objects.order_by("order", "code")
    reports = (
        IncidentReport.objects.filter(candidate_id__in=candidate_ids, status__in=RECORD_STATUSES)
        .select_related("center", "reporter")
        .prefetch_related(Prefetch("categories", queryset=ordered), "addenda__author")
        .order_by("submitted_at", "pk")
    )
    decisions = (
        case_file.decisions.select_related("proposed_by", "decided_by", "policy_version")
        .prefetch_related(Prefetch("categories", queryset=ordered), "scope_centers")
        .order_by("proposed_at", "pk")
    )
    return {
        "generated_at": _when(timezone.now()),
        "candidate": {
            "candidate_id": candidate.candidate_id,
            "other_candidate_ids": [other.candidate_id for other in merged],
            "name": candidate.name,
            "contact": candidate.contact,
            "personal_data_removed_at": _when(candidate.anonymised_at),
        },
        "case_file": {
            "status": case_file.status,
            "status_label": case_file.get_status_display(),
        },
        "reports": [_report(report, redact) for report in reports],
        "decisions": [_decision(decision, redact) for decision in decisions],
    }


def _categories(categories) -> list[dict]:
    return [{"code": category.code, "name": category.name} for category in categories]


def _report(report: IncidentReport, redact: Redactor) -> dict:
    text = {field: redact(getattr(report, field)) for field in REPORT_TEXT}
    return {
        "reference": report.reference,
        "submitted_at": _when(report.submitted_at),
        "occurred_at": _when(report.occurred_at),
        "center": {"code": report.center.code, "name": report.center.name},
        "channel": report.get_channel_display(),
        "categories": _categories(report.categories.all()),
        "demand_legitimacy": report.get_demand_legitimacy_display(),
        "repetitions": report.repetitions,
        "duration_minutes": report.duration_minutes,
        "police_called": report.police_called,
        "severity": report.get_severity_display(),
        "reported_by": report.reporter.staff_code,
        **text,
        "addenda": [
            {
                "added_at": _when(addendum.created_at),
                "by": addendum.author.staff_code,
                "text": redact(addendum.text),
            }
            for addendum in report.addenda.all()
        ],
    }


def _decision(decision, redact: Redactor) -> dict:
    return {
        "outcome": decision.outcome,
        "outcome_label": decision.get_outcome_display(),
        "state": decision.state,
        "state_label": decision.get_state_display(),
        "in_force": decision.state == "in_force",
        "demand_legitimacy": decision.get_demand_legitimacy_display(),
        "manner": decision.get_manner_display(),
        "categories": _categories(decision.categories.all()),
        "policy_version": decision.policy_version.number,
        "rationale": redact(decision.rationale),
        "starts_on": decision.starts_on.isoformat() if decision.starts_on else None,
        "ends_on": decision.ends_on.isoformat() if decision.ends_on else None,
        "scope": decision.get_scope_display() if decision.scope else "",
        "scope_centers": [center.code for center in decision.scope_centers.all()],
        "scope_client": decision.scope_client,
        "proposed_at": _when(decision.proposed_at),
        "proposed_by": decision.proposed_by.staff_code,
        "decided_at": _when(decision.decided_at),
        "decided_by": decision.decided_by.staff_code if decision.decided_by else None,
    }

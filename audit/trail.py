"""The audit trail: one list, newest first, of every change to reports, case files,
candidates, decisions, policy versions and roles (django-pghistory's append-only event
tables), every case-file read, every check-in lookup and every disclosure to a third party.

Each kind of line has its own table. A page is read by keyset, never by offset: each table
gives its newest ``size + 1`` lines older than the cursor, through an index on its time
(audit/migrations/0002 and the logs' own), and the lines are merged here. A page is therefore
one query per table plus one per kind of thing its lines name (people, centers, candidates,
case files, policy versions), whatever its size and however deep it is.

Free text (narratives, demands, reasons, a candidate's name and contact) is never shown here:
the audit view says that it changed, who changed it and when; the text is read on the
record's own page by those who may read it (DESIGN.md §8). Administrators read this view and
have no business with the content of reports."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, TestCenter, User
from incidents.models import (
    Candidate,
    CaseFile,
    CaseFileAccess,
    CheckinLookup,
    Decision,
    IncidentReport,
    normalise_candidate_id,
)
from incidents.models.retention import RetentionAction
from policy.models import PolicyVersion

from .models import DisclosureLog

REFERENCE = re.compile(r"^CH-[0-9]{4}-[0-9]{6}$")


class Action(models.TextChoices):
    CREATED = "insert", _("created")
    CHANGED = "update", _("changed")
    DELETED = "delete", _("deleted")
    READ = "read", _("opened")
    LOOKED_UP = "lookup", _("looked up")
    DISCLOSED = "disclosed", _("disclosed")
    REMOVED = "removed", _("removed at the end of the retention period")


# --- Filters and cursor -------------------------------------------------------------------


@dataclass(frozen=True)
class TrailFilters:
    kind: str = ""
    action: str = ""
    staff_code: str = ""
    record: str = ""  # a reference (CH-YYYY-NNNNNN) or a candidate ID
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True, order=True)
class Cursor:
    """Where a page ends: lines are ordered by (time, kind's rank, id), newest first."""

    at: datetime
    rank: int
    pk: int

    def encode(self) -> str:
        return f"{self.at.isoformat()}_{self.rank}_{self.pk}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """None for anything that is not a cursor this module wrote (a hand-edited URL
        starts again at the newest line)."""
        try:
            at, rank, pk = (text or "").rsplit("_", 2)
            moment = parse_datetime(at.replace(" ", "+"))
            if moment is None or timezone.is_naive(moment):
                return None
            return cls(moment, int(rank), int(pk))
        except (ValueError, OverflowError):
            return None


@dataclass
class Change:
    field: str
    before: str
    after: str
    shown: bool = True  # False: free text, of which only the fact that it changed is shown


@dataclass
class TrailLine:
    key: Cursor
    kind: str
    kind_label: str
    action: str
    action_label: str
    staff_code: str  # "" when no signed-in person made it (a task, a migration, the shell)
    record: str
    changes: list[Change] = field(default_factory=list)
    detail: str = ""


@dataclass
class _Scope:
    """What a "reference or candidate ID" filter narrows each kind of line to."""

    reports: QuerySet
    case_files: QuerySet
    candidates: QuerySet
    candidate_code: str | None  # what a check-in lookup would have typed


def _record_scope(text: str) -> _Scope:
    upper = text.strip().upper()
    if REFERENCE.match(upper):
        reports = IncidentReport.objects.filter(reference=upper).values("pk")
        none = CaseFile.objects.none()
        return _Scope(reports, none, Candidate.objects.none(), None)
    code = normalise_candidate_id(text)
    candidates = Candidate.objects.filter(candidate_id=code).values("pk")
    return _Scope(
        reports=IncidentReport.objects.filter(candidate__in=candidates).values("pk"),
        case_files=CaseFile.objects.filter(candidate__in=candidates).values("pk"),
        candidates=candidates,
        candidate_code=code,
    )


# --- What a page needs to name things ----------------------------------------------------


class _Names:
    """The people, centers, candidates, case files and policy versions a page names, fetched
    once per kind for the whole page."""

    WANTS = ("users", "centers", "candidates", "case_files", "policy_versions")

    def __init__(self):
        self.wanted: dict[str, set[int]] = {kind: set() for kind in self.WANTS}
        self.users: dict[int, str] = {}
        self.centers: dict[int, str] = {}
        self.candidates: dict[int, str] = {}
        self.case_files: dict[int, str] = {}
        self.policy_versions: dict[int, str] = {}

    def want(self, kind: str, pk) -> None:
        if isinstance(pk, int):
            self.wanted[kind].add(pk)

    def fetch(self) -> None:
        wanted = self.wanted
        if wanted["users"]:
            self.users = dict(
                User.objects.filter(pk__in=wanted["users"]).values_list("pk", "staff_code")
            )
        if wanted["centers"]:
            self.centers = dict(
                TestCenter.objects.filter(pk__in=wanted["centers"]).values_list("pk", "code")
            )
        if wanted["candidates"]:
            self.candidates = dict(
                Candidate.objects.filter(pk__in=wanted["candidates"]).values_list(
                    "pk", "candidate_id"
                )
            )
        if wanted["case_files"]:
            self.case_files = dict(
                CaseFile.objects.filter(pk__in=wanted["case_files"]).values_list(
                    "pk", "candidate__candidate_id"
                )
            )
        if wanted["policy_versions"]:
            self.policy_versions = {
                pk: str(_("Version %(number)s") % {"number": number})
                for pk, number in PolicyVersion.objects.filter(
                    pk__in=wanted["policy_versions"]
                ).values_list("pk", "number")
            }

    def name(self, kind: str, pk) -> str:
        if pk is None:
            return "—"
        return getattr(self, kind).get(pk, f"#{pk}")


# Which table each foreign key's value is named from.
NAMED_BY = {
    User: "users",
    TestCenter: "centers",
    Candidate: "candidates",
    CaseFile: "case_files",
    PolicyVersion: "policy_versions",
}


# --- Sources: one per table ---------------------------------------------------------------


class Source(ABC):
    kind: str
    label: Promise
    rank: int  # orders lines of the same instant: a fixed order, so pages never overlap
    at_field: str
    pk_field: str = "id"
    actions: tuple[str, ...]

    @abstractmethod
    def base(self) -> QuerySet: ...

    @abstractmethod
    def narrowed(self, queryset: QuerySet, scope: _Scope) -> QuerySet: ...

    @abstractmethod
    def by_person(self, queryset: QuerySet, user_id: int) -> QuerySet: ...

    def by_action(self, queryset: QuerySet, action: str) -> QuerySet:
        return queryset if action in self.actions else queryset.none()

    def rows(self, queryset: QuerySet) -> QuerySet:
        return queryset

    @abstractmethod
    def want_names(self, row, names: _Names) -> None: ...

    @abstractmethod
    def line(self, row, names: _Names) -> TrailLine: ...

    def queryset(self, filters: TrailFilters, person: int | None, scope: _Scope | None):
        queryset = self.base()
        if filters.action:
            queryset = self.by_action(queryset, filters.action)
        if person is not None:
            queryset = self.by_person(queryset, person)
        if scope is not None:
            queryset = self.narrowed(queryset, scope)
        if filters.since:
            queryset = queryset.filter(**{f"{self.at_field}__gte": _day_start(filters.since)})
        if filters.until:
            end = _day_start(filters.until + timedelta(days=1))
            queryset = queryset.filter(**{f"{self.at_field}__lt": end})
        return queryset

    def older_than(self, queryset: QuerySet, cursor: Cursor) -> QuerySet:
        """The lines after ``cursor`` in the order (time, rank, id) descending; this table's
        rank is fixed, so the condition is on (time, id) alone and the index answers it."""
        at, pk = self.at_field, self.pk_field
        if self.rank < cursor.rank:
            return queryset.filter(**{f"{at}__lte": cursor.at})
        if self.rank > cursor.rank:
            return queryset.filter(**{f"{at}__lt": cursor.at})
        # "at <= t" first: a range the index scan starts from, backwards, stopping at the
        # page's end; the OR alone would make PostgreSQL collect and sort every older line.
        return queryset.filter(
            Q(**{f"{at}__lte": cursor.at}),
            Q(**{f"{at}__lt": cursor.at}) | Q(**{f"{pk}__lt": cursor.pk}),
        )

    def newest(self, queryset: QuerySet, count: int) -> list:
        return list(self.rows(queryset.order_by(f"-{self.at_field}", f"-{self.pk_field}"))[:count])

    def key(self, row) -> Cursor:
        return Cursor(getattr(row, self.at_field), self.rank, getattr(row, self.pk_field))


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# Fields of a history row that are bookkeeping, not the record.
BOOKKEEPING = {"id", "public_id", "form_token", "created_at", "updated_at", "revision"}


class HistorySource(Source):
    """A django-pghistory event table: who (its context's user), what changed from what to
    what (the row before it of the same record, read in the same query)."""

    at_field = "pgh_created_at"
    pk_field = "pgh_id"
    actions = (Action.CREATED, Action.CHANGED, Action.DELETED)
    hidden: frozenset[str] = frozenset()  # free text: only "changed" is shown

    def __init__(self, tracked: type[models.Model], kind: str, label: Promise, rank: int):
        self.tracked, self.kind, self.label, self.rank = tracked, kind, label, rank
        self.event_model = _event_model(tracked)
        self.fields = {
            f.attname: f
            for f in self.event_model._meta.concrete_fields
            if not f.name.startswith("pgh_") and f.attname not in BOOKKEEPING
        }

    def base(self) -> QuerySet:
        return self.event_model.objects.all()

    def by_action(self, queryset, action):
        return queryset.filter(pgh_label=action) if action in self.actions else queryset.none()

    def by_person(self, queryset, user_id):
        return queryset.filter(pgh_context__metadata__user=user_id)

    def rows(self, queryset):
        snapshot = JSONObject(**{name: name for name in self.fields})
        before = (
            self.event_model.objects.filter(
                pgh_obj_id=OuterRef("pgh_obj_id"), pgh_id__lt=OuterRef("pgh_id")
            )
            .order_by("-pgh_id")
            .values(snapshot=JSONObject(**{name: name for name in self.fields}))[:1]
        )
        return queryset.annotate(
            snapshot=snapshot, before=Subquery(before), who=models.F("pgh_context__metadata")
        ).only("pgh_id", "pgh_created_at", "pgh_label", "pgh_obj_id")

    def want_names(self, row, names):
        if isinstance(row.who, dict):
            names.want("users", row.who.get("user"))
        for values in (row.snapshot, row.before or {}):
            for name, model_field in self.fields.items():
                target = NAMED_BY.get(getattr(model_field, "related_model", None))
                if target:
                    names.want(target, values.get(name))
        self.want_record_names(row.snapshot, names)

    def want_record_names(self, snapshot, names):
        pass

    @abstractmethod
    def record(self, snapshot, names) -> str: ...

    def changes(self, row, names) -> list[Change]:
        now, before = row.snapshot, row.before
        if row.pgh_label == Action.DELETED:
            return []
        changes = []
        for name, model_field in self.fields.items():
            old = before.get(name) if before else None
            new = now.get(name)
            if before is not None and old == new:
                continue
            if before is None and new in (None, "", False):
                continue  # a new record: what it was made with, not its empty fields
            label = str(model_field.verbose_name)
            if name in self.hidden:
                changes.append(Change(label, "", "", shown=False))
                continue
            changes.append(
                Change(
                    label,
                    _value(model_field, old, names) if before is not None else "",
                    _value(model_field, new, names),
                )
            )
        return changes

    def line(self, row, names):
        who = row.who.get("user") if isinstance(row.who, dict) else None
        return TrailLine(
            key=self.key(row),
            kind=self.kind,
            kind_label=str(self.label),
            action=row.pgh_label,
            action_label=str(Action(row.pgh_label).label),
            staff_code=names.name("users", who) if who is not None else "",
            record=self.record(row.snapshot, names),
            changes=self.changes(row, names),
        )


def _event_model(tracked: type[models.Model]) -> type[models.Model]:
    """The event model pghistory made for ``tracked`` (one per tracked model here)."""
    import pghistory.models
    from django.apps import apps

    for model in apps.get_models():
        if (
            issubclass(model, pghistory.models.Event)
            and getattr(model, "pgh_tracked_model", None) is tracked
        ):
            return model
    raise LookupError(f"No history for {tracked._meta.label}")


def _value(model_field, value, names: _Names) -> str:
    """A stored value in the reader's language: a choice by its label, a reference to another
    record by the name people know it by, a time in Tokyo's."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    target = NAMED_BY.get(getattr(model_field, "related_model", None))
    if target:
        return names.name(target, value)
    if model_field.is_relation:
        return f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.DateTimeField):
        moment = parse_datetime(value)
        if moment is not None:
            return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    elif isinstance(model_field, models.DateField):
        day = parse_date(value)
        if day is not None:
            return formats.date_format(day, "SHORT_DATE_FORMAT")
    return str(value)


class ReportHistory(HistorySource):
    hidden = frozenset(
        {
            "location",
            "online_url",
            "candidate_name",
            "candidate_contact",
            "demand",
            "exact_words",
            "narrative",
            "staff_response",
            "injury_details",
            "witnesses",
            "severity_reason",
            # the reporter's own care: staff care's to read, not every auditor's
            "support_requested",
            "advice_requested",
        }
    )

    def narrowed(self, queryset, scope):
        return queryset.filter(pgh_obj_id__in=scope.reports)

    def record(self, snapshot, names):
        return snapshot.get("reference") or str(_("draft %(id)s") % {"id": snapshot.get("id")})


class CaseFileHistory(HistorySource):
    def narrowed(self, queryset, scope):
        return queryset.filter(pgh_obj_id__in=scope.case_files)

    def want_record_names(self, snapshot, names):
        names.want("candidates", snapshot.get("candidate_id"))

    def record(self, snapshot, names):
        return names.name("candidates", snapshot.get("candidate_id"))


class CandidateHistory(HistorySource):
    hidden = frozenset({"name", "contact"})

    def narrowed(self, queryset, scope):
        return queryset.filter(pgh_obj_id__in=scope.candidates)

    def record(self, snapshot, names):
        return snapshot.get("candidate_id") or "—"


class DecisionHistory(HistorySource):
    hidden = frozenset({"rationale", "decision_reason", "indefinite_reason"})

    def narrowed(self, queryset, scope):
        return queryset.filter(case_file_id__in=scope.case_files)

    def want_record_names(self, snapshot, names):
        names.want("case_files", snapshot.get("case_file_id"))

    def record(self, snapshot, names):
        outcome = _value(self.fields["outcome"], snapshot.get("outcome"), names)
        return f"{names.name('case_files', snapshot.get('case_file_id'))} · {outcome}"


class PolicyVersionHistory(HistorySource):
    def narrowed(self, queryset, scope):
        return queryset.none()  # a policy version is nobody's case

    def record(self, snapshot, names):
        return str(_("Version %(number)s") % {"number": snapshot.get("number")})


class MembershipHistory(HistorySource):
    def narrowed(self, queryset, scope):
        return queryset.none()

    def want_record_names(self, snapshot, names):
        names.want("users", snapshot.get("user_id"))

    def record(self, snapshot, names):
        role = _value(Membership._meta.get_field("role"), snapshot.get("role"), names)
        return f"{names.name('users', snapshot.get('user_id'))} · {role}"


class CaseFileReads(Source):
    kind = "case_file_read"
    label = _("case file read")
    at_field = "viewed_at"
    actions = (Action.READ,)

    def __init__(self, rank):
        self.rank = rank

    def base(self):
        return CaseFileAccess.objects.select_related("user", "case_file__candidate")

    def narrowed(self, queryset, scope):
        return queryset.filter(case_file__in=scope.case_files)

    def by_person(self, queryset, user_id):
        return queryset.filter(user_id=user_id)

    def want_names(self, row, names):
        pass

    def line(self, access, names):
        return TrailLine(
            key=self.key(access),
            kind=self.kind,
            kind_label=str(self.label),
            action=Action.READ,
            action_label=str(Action.READ.label),
            staff_code=access.user.staff_code,
            record=access.case_file.candidate.candidate_id,
            detail=access.get_what_display(),
        )


class CheckinLookups(Source):
    kind = "checkin_lookup"
    label = _("check-in lookup")
    at_field = "looked_up_at"
    actions = (Action.LOOKED_UP,)

    def __init__(self, rank):
        self.rank = rank

    def base(self):
        return CheckinLookup.objects.select_related("user", "center")

    def narrowed(self, queryset, scope):
        if scope.candidate_code is None:
            return queryset.none()
        return queryset.filter(candidate_id_entered=scope.candidate_code)

    def by_person(self, queryset, user_id):
        return queryset.filter(user_id=user_id)

    def want_names(self, row, names):
        pass

    def line(self, lookup, names):
        if lookup.refused:
            answer = _("refused by the rate limit")
        elif lookup.restricted:
            answer = _("restriction shown")
        else:
            answer = _("no restriction")
        center = lookup.center.code if lookup.center else "—"
        return TrailLine(
            key=self.key(lookup),
            kind=self.kind,
            kind_label=str(self.label),
            action=Action.LOOKED_UP,
            action_label=str(Action.LOOKED_UP.label),
            staff_code=lookup.user.staff_code,
            record=lookup.candidate_id_entered,
            detail=f"{center} · {answer}",
        )


class Disclosures(Source):
    kind = "disclosure"
    label = _("disclosure to a third party")
    at_field = "recorded_at"
    actions = (Action.DISCLOSED,)

    def __init__(self, rank):
        self.rank = rank

    def base(self):
        return DisclosureLog.objects.select_related("recorded_by", "case_file__candidate")

    def narrowed(self, queryset, scope):
        return queryset.filter(case_file__in=scope.case_files)

    def by_person(self, queryset, user_id):
        return queryset.filter(recorded_by_id=user_id)

    def want_names(self, row, names):
        pass

    def line(self, disclosure, names):
        when = formats.date_format(
            timezone.localtime(disclosure.disclosed_at), "SHORT_DATETIME_FORMAT"
        )
        return TrailLine(
            key=self.key(disclosure),
            kind=self.kind,
            kind_label=str(self.label),
            action=Action.DISCLOSED,
            action_label=str(Action.DISCLOSED.label),
            staff_code=disclosure.recorded_by.staff_code,
            record=disclosure.case_file.candidate.candidate_id,
            detail=" · ".join(
                [
                    disclosure.get_recipient_kind_display(),
                    disclosure.recipient_name,
                    disclosure.get_legal_basis_display(),
                    str(_("handed over %(when)s") % {"when": when}),
                ]
            ),
        )


class RetentionActions(Source):
    """What the retention period removed (incidents.services.retention): done by the nightly
    task, never by a person."""

    kind = "retention"
    label = _("retention period")
    at_field = "at"
    actions = (Action.REMOVED,)

    def __init__(self, rank):
        self.rank = rank

    def base(self):
        return RetentionAction.objects.select_related("case_file__candidate")

    def narrowed(self, queryset, scope):
        return queryset.filter(case_file__in=scope.case_files)

    def by_person(self, queryset, user_id):
        return queryset.none()

    def want_names(self, row, names):
        pass

    def line(self, action, names):
        if action.case_file is not None:
            record = action.case_file.candidate.candidate_id
        else:
            record = str(_("a draft never submitted"))
        return TrailLine(
            key=self.key(action),
            kind=self.kind,
            kind_label=str(self.label),
            action=Action.REMOVED,
            action_label=str(Action.REMOVED.label),
            staff_code="",
            record=record,
            detail=action.get_kind_display(),
        )


SOURCES: tuple[Source, ...] = (
    ReportHistory(IncidentReport, "report", _("report"), 1),
    CaseFileHistory(CaseFile, "case_file", _("case file"), 2),
    CandidateHistory(Candidate, "candidate", _("candidate"), 3),
    DecisionHistory(Decision, "decision", _("decision"), 4),
    PolicyVersionHistory(PolicyVersion, "policy_version", _("policy version"), 5),
    MembershipHistory(Membership, "membership", _("role"), 6),
    CaseFileReads(7),
    CheckinLookups(8),
    Disclosures(9),
    RetentionActions(10),
)
KINDS = [(source.kind, source.label) for source in SOURCES]


# --- Pages ---------------------------------------------------------------------------------


@dataclass
class TrailPage:
    lines: list[TrailLine]
    next_cursor: Cursor | None


def trail_page(filters: TrailFilters, *, after: Cursor | None = None, size: int = 50) -> TrailPage:
    """``size`` lines of the trail, newest first, older than ``after``. Who may read the
    trail is the view's question (capabilities_of(user).reads_audit_trail)."""
    person = None
    if filters.staff_code:
        person = User.objects.filter(staff_code=filters.staff_code.strip().upper()).first()
        if person is None:
            return TrailPage([], None)
    scope = _record_scope(filters.record) if filters.record.strip() else None
    fetched: list[tuple[Source, object]] = []
    for source in SOURCES:
        if filters.kind and filters.kind != source.kind:
            continue
        queryset = source.queryset(filters, person.pk if person else None, scope)
        if after is not None:
            queryset = source.older_than(queryset, after)
        fetched += [(source, row) for row in source.newest(queryset, size + 1)]
    fetched.sort(key=lambda pair: pair[0].key(pair[1]), reverse=True)
    more = len(fetched) > size
    fetched = fetched[:size]
    names = _Names()
    for source, row in fetched:
        source.want_names(row, names)
    names.fetch()
    lines = [source.line(row, names) for source, row in fetched]
    return TrailPage(lines, lines[-1].key if more and lines else None)


def trail_lines(filters: TrailFilters, *, batch: int = 500) -> Iterator[TrailLine]:
    """Every line of the filtered trail, newest first, a page of ``batch`` at a time: the CSV
    export streams it without holding the whole trail in memory."""
    after = None
    while True:
        page = trail_page(filters, after=after, size=batch)
        yield from page.lines
        if page.next_cursor is None:
            return
        after = page.next_cursor

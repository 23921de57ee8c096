"""Case files as each reviewer may see them: the list, one file's timeline across centers,
and the restrictions in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.utils import timezone

from accounts.models import TestCenter, User
from harassment_portal.keyset import Keyset, KeysetPage, keyset_page
from policy.models import Category, is_english

from ..models import (
    NEEDS_APPROVAL,
    RECORD_STATUSES,
    Candidate,
    CaseFile,
    Decision,
    DecisionCategory,
    DecisionCenter,
    DecisionState,
    EventKind,
    IncidentReport,
    InternalNote,
    Outcome,
    TimelineEvent,
)
from .access import full_report_scope, visible_case_files
from .reports import LIST_DEFERRED


def restrictions_in_force_q(today: date | None = None) -> Q:
    """Refusals of testing in force on ``today`` (Tokyo's date): the case file page, the list
    and the check-in desk all ask this one question."""
    today = today or timezone.localdate()
    return Q(
        outcome=Outcome.TESTING_REFUSED, state=DecisionState.IN_FORCE, starts_on__lte=today
    ) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))


@dataclass(frozen=True)
class CaseFileFilters:
    status: str = ""
    risk: str = ""
    restricted: bool | None = None
    center: int | None = None
    candidate_id: str = ""


class _AnyOf(Func):
    """``value = ANY(array)``: whether the array holds the value."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = BooleanField()


# The list's order, most recent report first, read from the index case_file_recent and paged by
# cursor: no aggregate over the reports and no count of them on a page load.
CASE_FILE_ORDER = Keyset(("last_report_at", "id"), descending=True)


def case_files_for(user: User, filters: CaseFileFilters) -> QuerySet[CaseFile]:
    """The case files ``user`` may see, most recent report first, with what the list shows:
    the summary each file keeps of its records (services.cases). Whether a restriction is in
    force is read for a page's files once it is read (mark_restricted): in the page's own
    statement, PostgreSQL planned that test for every file the statement might walk (it does
    not count the LIMIT), and so hashed all the refusals in force, 7 ms at a million reports
    where probing 25 files costs 0.1."""
    case_files = (
        visible_case_files(user)
        .select_related("candidate")
        .only(
            "status",
            "risk_level",
            "report_count",
            "last_report_at",
            "center_ids",
            "candidate__candidate_id",
        )
        .annotate(
            # The codes of the centers of its records, from the ids the file keeps: a lookup
            # by primary key per listed file.
            center_codes=ArraySubquery(
                TestCenter.objects.filter(_AnyOf(F("pk"), OuterRef("center_ids")))
                .order_by("code")
                .values("code")
            ),
        )
    )
    if filters.status:
        case_files = case_files.filter(status=filters.status)
    if filters.risk:
        case_files = case_files.filter(risk_level=filters.risk)
    if filters.restricted is not None:
        restriction = Decision.objects.filter(restrictions_in_force_q(), case_file=OuterRef("pk"))
        case_files = case_files.filter(
            Exists(restriction) if filters.restricted else ~Exists(restriction)
        )
    if filters.center:
        in_center = IncidentReport.objects.filter(
            candidate_id=OuterRef("candidate_id"),
            center_id=filters.center,
            status__in=RECORD_STATUSES,
        )
        case_files = case_files.filter(Exists(in_center))
    if filters.candidate_id:
        case_files = case_files.filter(candidate__candidate_id__startswith=filters.candidate_id)
    return case_files.order_by(*CASE_FILE_ORDER.order_by())


def case_file_list_page(
    user: User, filters: CaseFileFilters, *, per_page: int, after: str | None, before: str | None
) -> KeysetPage:
    """A page of the case-file list, after (or before) a cursor."""
    page = keyset_page(
        case_files_for(user, filters),
        CASE_FILE_ORDER,
        per_page=per_page,
        after=after,
        before=before,
    )
    mark_restricted(page.object_list)
    return page


def mark_restricted(case_files: list[CaseFile]) -> list[CaseFile]:
    """Each file's ``restricted``: whether a refusal of testing is in force today; one query
    by the files' keys (decision_case_file_state), none for no file."""
    ids = {case_file.pk for case_file in case_files}
    in_force = (
        set(
            Decision.objects.filter(restrictions_in_force_q(), case_file_id__in=ids)
            .values_list("case_file_id", flat=True)
            .distinct()
        )
        if ids
        else set()
    )
    for case_file in case_files:
        case_file.restricted = case_file.pk in in_force
    return case_files


def get_case_file_for_user(user: User, case_file_id: int) -> CaseFile:
    case_file = visible_case_files(user).select_related("candidate").filter(pk=case_file_id).first()
    if case_file is None:
        raise Http404("No such case file.")
    return case_file


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "report", "report_summary", "note" or "event"
    report: IncidentReport | None = None
    note: InternalNote | None = None
    event: TimelineEvent | None = None


def _case_file_report_rows(case_file: CaseFile, *, codes: bool = False) -> QuerySet:
    """The candidate's reports, oldest first, with their categories; or with only their codes
    (``category_codes``, in the policy's order) read by the same query."""
    reports = (
        IncidentReport.objects.filter(candidate=case_file.candidate, status__in=RECORD_STATUSES)
        .select_related("center", "reporter")
        .order_by("submitted_at")
    )
    if codes:
        return reports.annotate(
            category_codes=ArraySubquery(
                Category.objects.filter(reports=OuterRef("pk")).order_by("order").values("code")
            )
        )
    return reports.prefetch_related(
        Prefetch("categories", queryset=Category.objects.order_by("order"))
    )


def case_file_reports(user: User, case_file: CaseFile) -> tuple[list, list]:
    """The candidate's reports across centers: those ``user`` reads in full, and the others,
    which she sees only as summary lines (date, center, categories, severity)."""
    reports = _case_file_report_rows(case_file)
    full = list(reports.filter(full_report_scope(user)))
    # The rest, without their text: a summary line never shows it (and a manager, who reads
    # every report in full, gets none: this reloaded all 50 of a long case file to drop them).
    summary = list(
        reports.exclude(pk__in=[report.pk for report in full]).defer("narrative", *LIST_DEFERRED)
    )
    return full, summary


def case_file_timeline(user: User, case_file: CaseFile) -> list[TimelineEntry]:
    """One timeline of everything about this candidate, across centers, oldest first."""
    entries, _total = _timeline(user, case_file, latest=None, codes=False)
    return entries


def case_file_page_timeline(
    user: User, case_file: CaseFile, *, latest: int | None
) -> tuple[list[TimelineEntry], int]:
    """:func:`case_file_timeline` for the case file's page, and how many entries it has: only
    the ``latest`` newest unless None (the page folds a long timeline, so that a candidate
    with hundreds of events costs no more than one with ``latest``: each line read and
    written costs). Its reports carry their behaviours' codes, ``category_codes``, not their
    categories: the page names them from the behaviours it reads once, so that no query
    depends on which lines there are (a prefetch is skipped when it has no rows)."""
    return _timeline(user, case_file, latest=latest, codes=True)


def _newest(rows: QuerySet, at: str, latest: int | None) -> tuple[list, int]:
    """``rows``: all of them, or the ``latest`` newest by ``at`` with how many there are in
    all, counted by the same query (a window over the rows before the LIMIT)."""
    if latest is None:
        rows = list(rows)
        return rows, len(rows)
    rows = list(rows.annotate(timeline_total=Window(Count("pk"))).order_by(f"-{at}")[:latest])
    return rows, rows[0].timeline_total if rows else 0


# What the case file's page shows of each kind of line (templatetags/timeline.py).
_REPORT_LINE = (
    "reference",
    "submitted_at",
    "severity",
    "status",
    "candidate_id",
    "center__code",
    "reporter__staff_code",
)
_PAGE_COLUMNS = {
    "report": (*_REPORT_LINE, "narrative"),
    "report_summary": _REPORT_LINE,
    "note": ("text", "created_at", "case_file_id", "author__staff_code", "report__reference"),
    "event": (
        "kind",
        "created_at",
        "note",
        "details",
        "case_file_id",
        "report__reference",
        "decision__outcome",
        "actor__staff_code",
    ),
}


def _columns(rows: QuerySet, only: tuple[str, ...] | None, unread: tuple | list) -> QuerySet:
    """``rows`` with ``only`` these columns, or else without the ``unread`` ones."""
    return rows.only(*only) if only else rows.defer(*unread)


def _timeline(
    user: User, case_file: CaseFile, *, latest: int | None, codes: bool
) -> tuple[list[TimelineEntry], int]:
    reports = _case_file_report_rows(case_file, codes=codes)
    in_full = full_report_scope(user)
    # The page reads only the columns its lines show: each line's row, with those of its
    # report, author or actor, and decision, was most of the selector's time (issue 12).
    page = _PAGE_COLUMNS if codes else None
    # A line shows a report's start of what happened, not the rest of what it says (nor its
    # search tokens, the largest column).
    full, full_total = _newest(
        _columns(reports.filter(in_full), page and page["report"], LIST_DEFERRED),
        "submitted_at",
        latest,
    )
    entries = [TimelineEntry(r.submitted_at, "report", report=r) for r in full]
    # A manager reads every report in full (an empty Q, which excluded would exclude nothing);
    # a supervisor sees the other centers' reports as summary lines, read without their text.
    seen_as_summary = reports.exclude(in_full) if in_full else reports.none()
    summary, summary_total = [], 0
    if in_full:
        summary, summary_total = _newest(
            _columns(
                seen_as_summary, page and page["report_summary"], ("narrative", *LIST_DEFERRED)
            ),
            "submitted_at",
            latest,
        )
    entries += [TimelineEntry(r.submitted_at, "report_summary", report=r) for r in summary]
    # Notes written on the case file itself are for everyone who may open it; a note on a
    # report belongs to that report, and another center's report is a summary line: its
    # notes stay with it (a note on a report is filed under the case file too).
    notes = InternalNote.objects.filter(
        Q(case_file=case_file, report__isnull=True)
        | Q(report__in=reports.filter(in_full).values("pk"))
    ).select_related("author", "report")
    # A note's or an event's report is named by its reference: its text stays unread.
    unread_text = [f"report__{name}" for name in ("narrative", *LIST_DEFERRED)]
    notes, notes_total = _newest(
        _columns(notes, page and page["note"], unread_text), "created_at", latest
    )
    entries += [TimelineEntry(note.created_at, "note", note=note) for note in notes]
    events = (
        TimelineEvent.objects.filter(case_file=case_file)
        .exclude(kind__in=[EventKind.REPORT_SUBMITTED, EventKind.NOTE_ADDED])
        .select_related("actor", "decision", "report")
    )
    if in_full:  # the events of a report seen as a summary line stay with it
        events = events.exclude(report__in=seen_as_summary.values("pk"))
    events, events_total = _newest(
        _columns(events, page and page["event"], unread_text), "created_at", latest
    )
    entries += [TimelineEntry(event.created_at, "event", event=event) for event in events]
    entries.sort(key=lambda entry: entry.at)
    if latest is not None:
        entries = entries[-latest:]
    return entries, full_total + summary_total + notes_total + events_total


def merged_candidates(case_file: CaseFile) -> QuerySet[Candidate]:
    """The candidate records merged into this case file's candidate."""
    return Candidate.objects.filter(merged_into=case_file.candidate)


def get_candidate_to_merge(user: User, candidate_id: str) -> Candidate | None:
    """The candidate with this ID if ``user`` may see its case file; None alike for "no such
    candidate" and "not yours", so the merge form reveals no ID."""
    return Candidate.objects.filter(
        candidate_id=candidate_id, case_file__in=visible_case_files(user)
    ).first()


def case_file_decisions(case_file: CaseFile) -> QuerySet[Decision]:
    return (
        case_file.decisions.select_related(
            "proposed_by", "decided_by", "policy_version", "supersedes"
        )
        .prefetch_related(
            Prefetch("categories", queryset=Category.objects.order_by("order")), "scope_centers"
        )
        .order_by("-proposed_at", "-pk")
    )


def _with_names_for_the_page(decisions: QuerySet[Decision]) -> QuerySet[Decision]:
    """``decisions`` with the names of the behaviours they cite (``category_names``, in the
    policy's order and the reader's language) and the codes of the centers a refusal covers
    (``scope_center_codes``), read by the same query: prefetches are skipped when there is no
    decision, so the page's queries depended on whether the case file had any (issue 12)."""
    wanted, other = ("name_en", "name_ja") if is_english() else ("name_ja", "name_en")
    cited = (
        DecisionCategory.objects.filter(decision=OuterRef("pk"))
        .order_by("category__order", "category__code")
        .values(name=Coalesce(NullIf(F(f"category__{wanted}"), Value("")), F(f"category__{other}")))
    )
    covered = (
        DecisionCenter.objects.filter(decision=OuterRef("pk"))
        .order_by("center__code")
        .values("center__code")
    )
    return decisions.prefetch_related(None).annotate(
        category_names=ArraySubquery(cited), scope_center_codes=ArraySubquery(covered)
    )


def case_file_page_decisions(case_file: CaseFile) -> QuerySet[Decision]:
    """:func:`case_file_decisions` as the case file's page shows them."""
    return _with_names_for_the_page(case_file_decisions(case_file))


def is_restriction_in_force(decision: Decision, today: date | None = None) -> bool:
    """:func:`restrictions_in_force_q` asked of a decision already read (the case file's page
    has all of them: no query for the few in force)."""
    today = today or timezone.localdate()
    return (
        decision.outcome == Outcome.TESTING_REFUSED
        and decision.state == DecisionState.IN_FORCE
        and decision.starts_on is not None
        and decision.starts_on <= today
        and (decision.ends_on is None or decision.ends_on >= today)
    )


def restrictions_in_force(case_file: CaseFile) -> QuerySet[Decision]:
    return case_file.decisions.filter(restrictions_in_force_q()).prefetch_related("scope_centers")


def case_file_accesses(case_file: CaseFile) -> list[tuple]:
    """The 200 latest openings of the case file, newest first, as (when, the staff code of
    who opened it, what was opened): the page writes them as lines (templatetags/timeline.py
    access_lines), and a page of a case file opened hundreds of times read 400 objects."""
    return list(case_file.accesses.values_list("viewed_at", "user__staff_code", "what")[:200])


def pending_approvals(user: User) -> QuerySet[Decision]:
    """Proposals that ``user`` may approve: in the case files she may see, proposed by
    someone else (the two-person rule)."""
    return (
        Decision.objects.filter(
            state=DecisionState.PROPOSED,
            outcome__in=[outcome.value for outcome in NEEDS_APPROVAL],
            case_file__in=visible_case_files(user),
        )
        .exclude(proposed_by=user)
        .select_related("case_file__candidate", "proposed_by")
        .order_by("proposed_at")
    )

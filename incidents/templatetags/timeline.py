"""A case file's timeline written in Python, and a timeline event's details in the reader's
language: the event keeps codes and ids (TimelineEvent.details), never words, so that a
Japanese page never shows the English of a correction, a rule or a severity, and a renamed
behaviour or rule reads as it is named now.

A case file of 50 reports shows every event of its candidate, two hundred lines and more; each
variable, filter, condition and tag a template resolves on each line costs, and those were
most of the page's time (issue 12). So the lines are written here, once per page, with what
every line repeats (the words, the labels of the kinds, the date format, the link's prefix)
looked up once."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import get_format
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from harassment_portal.html import format_html, format_html_join
from policy.models import Category, Severity

from ..models import CaseFileAccess, EscalationRule, EventKind, Outcome
from .portal import severity_badge

register = template.Library()

_CACHE_KEY = "timeline_names"
# A report's line shows the start of what happened, as the queue does.
NARRATIVE_CHARS = 240


def _names(context) -> tuple[dict, dict]:
    """The escalation rules by id and the behaviours by code, read once per page however many
    events it shows (both tables are short lists that admins edit)."""
    cache = context.render_context
    if _CACHE_KEY not in cache:
        cache[_CACHE_KEY] = (
            EscalationRule.objects.in_bulk(),
            Category.objects.in_bulk(field_name="code"),
        )
    return cache[_CACHE_KEY]


def _severity(code: str) -> str:
    return Severity(code).label if code in Severity.values else code


def _behaviours(codes: list[str], categories: dict) -> str:
    """In the policy's order, as the report page lists them."""
    known = sorted((categories[c] for c in codes if c in categories), key=lambda c: c.order)
    names = [category.name for category in known]
    names += [code for code in codes if code not in categories]  # retired since: its code
    return pgettext("joins the items of a list", ", ").join(names) if names else "—"


def describe(details: dict, rules: dict, categories: dict) -> list[dict]:
    """Each change or fact of ``details`` as a label and its value, or its value before and
    after; every word in the active language."""
    lines = []
    if "rule" in details:
        rule = rules.get(details["rule"])
        lines.append({"label": _("Rule"), "value": rule.name if rule else "—"})
    if "categories" in details:
        before, after = details["categories"]
        lines.append(
            {
                "label": _("Behaviours"),
                "before": _behaviours(before, categories),
                "after": _behaviours(after, categories),
            }
        )
    if "severity" in details:
        before, after = details["severity"]
        lines.append(
            {"label": _("Severity"), "before": _severity(before), "after": _severity(after)}
        )
    if "candidate" in details:
        before, after = details["candidate"]
        lines.append({"label": _("Candidate ID"), "before": before or "—", "after": after})
    return lines


def _details_html(details: dict, note: str, names) -> SafeString:
    """What the event changed, then what the person wrote (``names``: the rules and
    behaviours, called only when the event has details)."""
    if not details and not note:
        return SafeString()  # most events: a case file's escalations and reviews
    parts = []
    for line in describe(details, *names()) if details else []:
        if line.get("before"):
            parts.append(
                format_html("<div>{}: {} → {}</div>", line["label"], line["before"], line["after"])
            )
        else:
            parts.append(format_html("<div>{}: {}</div>", line["label"], line["value"]))
    if note:
        parts.append(format_html("<div>{}</div>", linebreaksbr(note)))
    return format_html(
        '<div class="text-body-secondary" data-event-details>{}</div>',
        format_html_join("", "{}", ((part,) for part in parts)),
    )


@register.simple_tag(takes_context=True)
def timeline_details(context, event) -> str:
    """What the event changed, then what the person wrote, under the event's line (the report
    page's timeline). The rules and behaviours are read at the first event, whether or not
    it has details, so that the page's queries do not depend on which events it shows."""
    names = _names(context)
    return _details_html(event.details, event.note, lambda: names)


# The format characters that depend on nothing finer than the minute, nor on the time zone's
# name or offset (Django's formats for Japanese and English: "Y年n月j日G:i", "N j, Y, P").
_BY_THE_MINUTE = frozenset("aAbdDEfFgGhHijlLmMnNoPStwWyYz")


class Clock:
    """Writes times as the ``date`` filter would in ``format_string``, for many lines: the
    format is parsed once, and each minute written once (DateFormat parses the format again
    and translates each month or "p.m." again at each call: a tenth of a millisecond, on each
    of a long timeline's lines)."""

    def __init__(self, format_string: str):
        self.pieces = [
            (bool(i % 2), piece if i % 2 else re_escaped.sub(r"\1", piece))
            for i, piece in enumerate(re_formatchars.split(str(format_string)))
            if piece
        ]
        self.by_the_minute = all(p in _BY_THE_MINUTE for code, p in self.pieces if code)
        self.timezone = timezone.get_current_timezone()
        self.written: dict = {}

    def __call__(self, at) -> str:
        local = at.astimezone(self.timezone)
        if self.by_the_minute:
            local = local.replace(second=0, microsecond=0)
        if local not in self.written:
            format_ = DateFormat(local)
            self.written[local] = "".join(
                str(getattr(format_, piece)()) if code else piece for code, piece in self.pieces
            )
        return self.written[local]


class _Writer:
    """What every line of one page's timeline repeats, looked up once: the translated words,
    the labels of the event kinds and outcomes, the date formats, the report link's prefix."""

    def __init__(self, context):
        # Read whether or not a line names one, so that the page's queries are the same
        # whichever lines it shows.
        self.names = _names(context)
        self.datetime = Clock(get_format("DATETIME_FORMAT"))
        self.date = Clock(get_format("DATE_FORMAT"))
        self.join = pgettext("joins the items of a list", ", ")
        self.kinds = {kind: str(kind.label) for kind in EventKind}
        self.outcomes = {outcome: str(outcome.label) for outcome in Outcome}
        self.summary_words = gettext("report from another center (summary)")
        self.note_words = gettext("Internal note")
        # reverse() once: a reference is letters, digits and dashes, safe in a path.
        self.report_url = reverse("incidents:detail", args=["CH-0000-000000"]).replace(
            "CH-0000-000000", "{}"
        )

    def when(self, at, date_only: bool = False) -> str:
        return self.date(at) if date_only else self.datetime(at)

    def behaviours(self, report) -> str:
        """Its behaviours' names, from its codes (selectors.cases.case_file_page_timeline),
        in the policy's order; a retired behaviour by its code."""
        _rules, categories = self.names
        names = [
            categories[code].name if code in categories else code for code in report.category_codes
        ]
        return self.join.join(names) if names else "—"

    def report(self, report, at) -> SafeString:
        narrative = report.narrative
        if len(narrative) > NARRATIVE_CHARS:
            narrative = Truncator(narrative).chars(NARRATIVE_CHARS)
        return format_html(
            '<li class="list-group-item" data-entry="report" data-reference="{}">'
            '<div class="small text-muted">{} · {}</div>'
            '<a href="{}" class="fw-semibold">{}</a> {} <span class="small">{}</span>'
            '<div class="small mt-1 text-body-secondary">{}</div></li>',
            report.reference,
            self.when(at),
            report.center.code,
            self.report_url.format(report.reference),
            report.reference,
            severity_badge(report.severity),
            self.behaviours(report),
            narrative,
        )

    def report_summary(self, report, at) -> SafeString:
        return format_html(
            '<li class="list-group-item bg-body-tertiary" data-entry="report_summary">'
            '<div class="small text-muted">{} · {} · {}</div>{} <span class="small">{}</span>'
            "</li>",
            self.when(at, date_only=True),
            report.center.code,
            self.summary_words,
            severity_badge(report.severity),
            self.behaviours(report),
        )

    def note(self, note, at) -> SafeString:
        reference = f" · {note.report.reference}" if note.report_id else ""
        return format_html(
            '<li class="list-group-item" data-entry="note">'
            '<div class="small text-muted">{} · {} · {}{}</div>{}</li>',
            self.when(at),
            self.note_words,
            note.author.staff_code,
            reference,
            linebreaksbr(note.text),
        )

    def event(self, event, at) -> SafeString:
        line = [self.when(at), self.kinds.get(event.kind, event.kind)]
        if event.decision_id:
            line[-1] += f": {self.outcomes.get(event.decision.outcome, event.decision.outcome)}"
        if event.report_id and event.report.reference:
            line.append(event.report.reference)
        if event.actor_id:
            line.append(event.actor.staff_code)
        return format_html(
            '<li class="list-group-item small" data-entry="event">'
            '<span class="text-muted">{}</span> · {}{}</li>',
            line[0],
            " · ".join(line[1:]),
            _details_html(event.details, event.note, lambda: self.names),
        )


@register.simple_tag(takes_context=True)
def timeline_lines(context, timeline) -> SafeString:
    """Each entry of ``timeline`` (selectors.cases.case_file_page_timeline) as its line: a report
    she reads in full, another center's report as a summary line (its day, center, severity
    and behaviours), a note, an event."""
    writer = _Writer(context)
    lines = {
        "report": lambda entry: writer.report(entry.report, entry.at),
        "report_summary": lambda entry: writer.report_summary(entry.report, entry.at),
        "note": lambda entry: writer.note(entry.note, entry.at),
        "event": lambda entry: writer.event(entry.event, entry.at),
    }
    return format_html_join("\n", "{}", ((lines[entry.kind](entry),) for entry in timeline))


@register.simple_tag
def access_lines(accesses) -> SafeString:
    """Who opened the case file (selectors.cases.case_file_accesses), a line each: when, who
    (staff code), what; the dates and labels looked up once for the 200 lines."""
    when = Clock(get_format("SHORT_DATETIME_FORMAT"))
    what = {value: str(label) for value, label in CaseFileAccess._meta.get_field("what").choices}
    return format_html_join(
        "",
        '<li class="list-group-item">{} · {} · {}</li>',
        (
            (when(viewed_at), staff_code, what.get(kind, kind))
            for viewed_at, staff_code, kind in accesses
        ),
    )

"""A timeline event's details in the reader's language: the event keeps codes and ids
(TimelineEvent.details), never words, so that a Japanese page never shows the English of a
correction, a rule or a severity, and a renamed behaviour or rule reads as it is named now."""

from __future__ import annotations

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import template_localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from policy.models import Category, Severity

from ..models import EscalationRule
from .portal import label

register = template.Library()

_CACHE_KEY = "timeline_names"


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


@register.simple_tag(takes_context=True)
def timeline_details(context, event) -> str:
    """What the event changed, then what the person wrote, under the event's line. Most events
    have neither (a case file's escalations and reviews): those render no template at all,
    since a case file shows hundreds of events and each rendering costs."""
    if not event.details and not event.note:
        return ""
    rules, categories = _names(context) if event.details else ({}, {})
    details = context.template.engine.get_template("incidents/_timeline_details.html")
    lines = describe(event.details, rules, categories)
    return details.render(context.new({"lines": lines, "note": event.note}))


@register.simple_tag
def timeline_event(entry) -> str:
    """An event's line on a case file's timeline: when, what, the decision and the report it
    concerns, who (as ``{{ entry.at|date:"DATETIME_FORMAT" }} · …`` would write it). A tag, not
    template lines: a case file shows every event of its candidate, hundreds, and each
    variable and condition a template resolves on each of them costs."""
    event = entry.event
    line = format_html(
        '<span class="text-muted">{}</span> · {}',
        date_format(template_localtime(entry.at), "DATETIME_FORMAT"),
        label(event, "kind"),
    )
    if event.decision:
        line += format_html(": {}", label(event.decision, "outcome"))
    if event.report and event.report.reference:
        line += format_html(" · {}", event.report.reference)
    if event.actor:
        line += format_html(" · {}", event.actor.staff_code)
    return line

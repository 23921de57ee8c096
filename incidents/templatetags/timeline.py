"""A timeline event's details in the reader's language: the event keeps codes and ids
(TimelineEvent.details), never words, so that a Japanese page never shows the English of a
correction, a rule or a severity, and a renamed behaviour or rule reads as it is named now."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from policy.models import Category, Severity

from ..models import EscalationRule

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

"""Template filters of the portal's pages."""

from __future__ import annotations

import functools

from django import template
from django.db.models import Model
from django.utils.encoding import force_str
from django.utils.translation import pgettext

from harassment_portal.html import format_html
from policy.models import Severity

register = template.Library()


@register.filter
def listing(items) -> str:
    """Names joined as the page's language joins a list (「、」 in Japanese, ", " in
    English); a dash for none."""
    names = [str(getattr(item, "name", item)) for item in items]
    return pgettext("joins the items of a list", ", ").join(names) if names else "—"


@functools.cache
def _choice_labels(model: type[Model], field_name: str) -> dict:
    # The labels stay lazy: each is translated when shown, in the page's language.
    return dict(model._meta.get_field(field_name).flatchoices)


@register.filter
def label(instance: Model, field_name: str):
    """What ``instance.get_<field_name>_display()`` shows, from a table of the field's choices
    made once. Django's method rebuilds that table at each call and hashes every lazy label of
    it, which translates them all: the 28 kinds of a timeline event cost 28 translations for
    each event shown, the largest part of a case file's page of 200 events."""
    value = getattr(instance, field_name)
    return force_str(
        _choice_labels(type(instance), field_name).get(value, value), strings_only=True
    )


# The badge's colour for each severity (the others: secondary).
_BADGE_STYLES = {
    Severity.CRITICAL: "text-bg-danger",
    Severity.HIGH: "text-bg-warning",
    Severity.MEDIUM: "text-bg-info",
}


@register.simple_tag
def severity_badge(severity: str, label: str | None = None) -> str:
    """A severity's coloured badge (nothing for none), labelled with ``label`` or else the
    severity's name. A tag, not an included template: lists show one on every row, and an
    include costs a template's rendering each time (templates/incidents/_badges.html, for
    the pages that include it, says the same through this tag)."""
    if not severity:
        return ""
    if label is None:
        label = Severity(severity).label if severity in Severity.values else severity
    style = _BADGE_STYLES.get(severity, "text-bg-secondary")
    return format_html(
        '<span class="badge {}" data-severity="{}">{}</span>', style, severity, label
    )

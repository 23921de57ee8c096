"""Template filters of the portal's pages."""

from __future__ import annotations

from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def listing(items) -> str:
    """Names joined as the page's language joins a list (「、」 in Japanese, ", " in
    English); a dash for none."""
    names = [str(getattr(item, "name", item)) for item in items]
    return pgettext("joins the items of a list", ", ").join(names) if names else "—"

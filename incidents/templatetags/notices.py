"""The reporter's notices in any page: the navbar's count, and the questions on her report
page that wait for her answer."""

from __future__ import annotations

from django import template

from ..selectors.notices import unread_notice_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context) -> int:
    """How many notices the signed-in user has not read (one indexed count; the navbar asks
    only for those who file reports, the only ones who get notices)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return unread_notice_count(user) if user is not None else 0


@register.filter
def unanswered(questions) -> list:
    """The questions not answered yet, from the list the page already read (no query)."""
    return [question for question in questions if question.answer_id is None]

"""The questions on her report page that wait for the reporter's answer (the navbar's count
of her notices comes from the context processor incidents.context_processors.bell)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def unanswered(questions) -> list:
    """The questions not answered yet, from the list the page already read (no query)."""
    return [question for question in questions if question.answer_id is None]

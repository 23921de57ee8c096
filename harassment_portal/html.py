"""Django's escaping functions (django.utils.html), writing the same text, without the wrapper
that looks for lazy arguments on every call (django.utils.functional.keep_lazy): the markup
the portal writes in Python (the inbox's cards, the timeline's lines, the form fields) calls
them thousands of times a page, and the wrapper was a fifth of such a page's time. Django's
escape is the standard library's html.escape; lazy text is made a string first, as Django's
conditional_escape does."""

from __future__ import annotations

import html

from django.utils.functional import Promise
from django.utils.safestring import SafeString


def escape(text) -> SafeString:
    """django.utils.html.escape: every special character, even in safe text."""
    return SafeString(html.escape(str(text)))


def conditional_escape(text) -> str:
    """django.utils.html.conditional_escape: safe text as it is, the rest escaped."""
    if isinstance(text, Promise):
        text = str(text)
    if hasattr(text, "__html__"):
        return text.__html__()
    return escape(text)


def format_html(format_string: str, *args, **kwargs) -> SafeString:
    """django.utils.html.format_html: ``format_string`` with each argument escaped unless
    safe."""
    escaped = {name: conditional_escape(value) for name, value in kwargs.items()}
    return SafeString(format_string.format(*map(conditional_escape, args), **escaped))


def format_html_join(separator, format_string: str, args_generator) -> SafeString:
    """django.utils.html.format_html_join."""
    return SafeString(
        conditional_escape(separator).join(
            format_html(format_string, *args) for args in args_generator
        )
    )

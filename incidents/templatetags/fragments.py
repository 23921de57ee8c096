"""``{% fragment name key %}…{% endfragment %}``: a part of a page that is the same for every
request with the same ``key`` (a blank form's fields in one language), rendered once per
process and then read from the ``fragments`` cache (settings.CACHES: in the process's memory,
so a page never waits on, or fails with, Redis for it). A ``key`` of None (or a page without
one: no context processor ran) renders the part every time: a form that came back with what
was typed and its errors is never cached.

Django's own ``{% cache %}`` always caches; this is it with that one condition. The key must
name everything the part shows that can change while the process runs (the page's language,
what an administrator edits); settings and translations change only with a restart, which
empties the cache.
"""

from __future__ import annotations

import hashlib

from django import template
from django.core.cache import caches
from django.utils import translation

register = template.Library()

CACHE = "fragments"


def fragment_key(*shown) -> str:
    """A {% fragment %}'s key: the page's language and ``shown``, what the part shows that can
    change while the process runs (their repr, hashed)."""
    text = repr((translation.get_language(), *shown))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def form_fragment_key(form, *shown) -> str | None:
    """The key of a {% fragment %} of ``form``'s fields: drawn once per language, form and
    ``shown`` (what else they show that can change) while the form is blank; None, drawn each
    time, for a form that came back with what was typed and its errors."""
    return None if form.is_bound else fragment_key(type(form).__name__, *shown)


class FragmentNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str, key: template.base.FilterExpression):
        self.nodelist, self.name, self.key = nodelist, name, key

    def render(self, context) -> str:
        key = self.key.resolve(context)
        if key is None or key == "":
            return self.nodelist.render(context)
        cache = caches[CACHE]
        cache_key = f"{self.name}:{key}"
        fragment = cache.get(cache_key)
        if fragment is None:
            fragment = self.nodelist.render(context)
            cache.set(cache_key, fragment)
        return fragment


@register.tag
def fragment(parser, token) -> FragmentNode:
    try:
        _tag, name, key = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError(
            "{% fragment %} takes a quoted name and a key: {% fragment 'name' key %}"
        ) from None
    if not (name[0] == name[-1] and name[0] in "'\""):
        raise template.TemplateSyntaxError("{% fragment %}'s name is a quoted string")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, name[1:-1], parser.compile_filter(key))

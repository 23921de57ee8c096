"""harassment_portal/html.py writes what Django's escaping functions write, for any text."""

from django.utils import html as django
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from harassment_portal import html as portal

values = st.one_of(
    st.text(),
    st.integers(),
    st.text().map(mark_safe),
    st.sampled_from([gettext_lazy("Close"), None, 1.5, "<b>'&\"</b>"]),
)


@given(values)
def test_escape_and_conditional_escape_write_what_djangos_write(value):
    assert portal.escape(value) == django.escape(value)
    assert isinstance(portal.escape(value), SafeString)
    assert portal.conditional_escape(value) == django.conditional_escape(value)


@given(st.lists(values, min_size=1, max_size=4), values)
def test_format_html_and_its_join_write_what_djangos_write(args, separator):
    template = " | ".join("{}" for _ in args) + " {named}"
    mine = portal.format_html(template, *args, named=args[0])
    assert mine == django.format_html(template, *args, named=args[0])
    assert isinstance(mine, SafeString)
    rows = [(arg,) for arg in args]
    assert portal.format_html_join(separator, "<i>{}</i>", rows) == django.format_html_join(
        separator, "<i>{}</i>", rows
    )

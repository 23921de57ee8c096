"""The error summary a form shows at its top after a refused post (templates/_error_summary.html):
one item per problem, each linking to the input it is about."""

from __future__ import annotations

from django import forms, template
from django.utils.html import strip_tags

register = template.Library()


@register.filter
def error_items(form: forms.BaseForm) -> list[dict]:
    """What went wrong, in the form's order: ``anchor`` is the id of the input to focus
    (the first box of a group of radios or check boxes, which have no input of the field's
    own id), ``label`` the field's name as the page shows it; problems that belong to no
    field have no anchor."""
    items = [{"anchor": "", "label": "", "message": error} for error in form.non_field_errors()]
    for field in form:
        if not field.errors or field.is_hidden:
            continue
        anchor = field.auto_id
        widget = field.field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            anchor = f"{anchor}_0"
        label = strip_tags(str(field.label)).replace("*", "").strip()
        items.extend({"anchor": anchor, "label": label, "message": e} for e in field.errors)
    return items

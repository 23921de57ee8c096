"""Form fields with the markup of crispy-forms' Bootstrap 5 pack, written out in Python.

crispy-forms renders each field through half a dozen nested templates (field.html, the
help-text and error includes, one include per checkbox or radio button), about a millisecond
a field: the review queue's filters, a case file's decision form with its thirteen behaviours
and a report page's review forms spent a third of their rendering there (issue 12). These
filters write the same elements, attributes, classes and texts (compared with crispy's own
output in tests/incidents/test_render_fields.py), and hand any widget they do not know (file
inputs, multi-widgets) to crispy itself. The widgets themselves are still Django's, so their
attributes (required, aria-invalid, aria-describedby, values) come from the form as before.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, optgroups
from django import forms, template
from django.conf import settings
from django.forms.boundfield import BoundField
from django.template.defaultfilters import unordered_list
from django.templatetags.l10n import unlocalize
from django.utils.safestring import SafeString, mark_safe

from harassment_portal.html import conditional_escape, escape, format_html

register = template.Library()

# What crispy's field.html writes for these widgets; the others go to crispy itself.
_WIDGETS = (
    forms.widgets.Input,
    forms.Textarea,
    forms.Select,
    forms.CheckboxInput,
    forms.RadioSelect,
)
_UNHANDLED = (forms.FileInput, forms.MultiWidget)
_ASTERISK = mark_safe('<span class="asteriskField">*</span>')


def _handled(field: BoundField) -> bool:
    widget = field.field.widget
    return isinstance(widget, _WIDGETS) and not isinstance(widget, _UNHANDLED)


@register.filter
def as_field(field: BoundField) -> SafeString:
    """``{{ form.x|as_crispy_field }}``, without its templates."""
    if not _handled(field):
        return as_crispy_field(field)
    if field.is_hidden:
        return _widget_html(field)
    widget = field.field.widget
    checkbox = isinstance(widget, forms.CheckboxInput)
    choices = isinstance(widget, forms.RadioSelect)  # radio buttons, or check boxes
    required = field.field.required
    asterisk = _ASTERISK if required else ""
    parts = []
    if checkbox:
        parts.append('<div class="mb-3">')
    wrapper = "form-check" if checkbox else "mb-3"
    if css_classes := field.css_classes():
        wrapper += f" {css_classes}"
    parts.append(f'<div id="div_{escape(field.auto_id)}" class="{escape(wrapper)}">')
    if field.label and not checkbox:
        fieldset = field.use_fieldset
        if fieldset:
            described = field.aria_describedby
            parts.append(
                format_html('<fieldset aria-describedby="{}">', described)
                if described
                else "<fieldset>"
            )
        tag = "legend" if fieldset else "label"
        label_for = field.id_for_label
        label_for = format_html('for="{}" ', label_for) if label_for else ""
        classes = (
            "form-label" + (" requiredField" if required else "") + (" fs-6" if fieldset else "")
        )
        parts.append(
            format_html(
                '<{} {}class="{}"> {}{} </{}>',
                tag,
                label_for,
                classes,
                field.label,
                asterisk,
                tag,
            )
        )
    if choices:
        parts.append(_choices(field))
    elif checkbox:
        parts.append(
            _widget(field, "form-check-input is-invalid" if field.errors else "form-check-input")
        )
        parts.append(
            format_html(
                '<label for="{}" class="form-check-label{}"> {}{} </label>',
                field.id_for_label,
                " requiredField" if required else "",
                field.label,
                asterisk,
            )
        )
        parts.append(_help_and_errors(field))
    else:
        kind = "form-select" if isinstance(widget, forms.Select) else "form-control"
        parts.append(_widget(field, f"{kind} is-invalid" if field.errors else kind))
        parts.append(_help_and_errors(field))
    if field.use_fieldset and field.label:
        parts.append("</fieldset>")
    parts.append("</div>")
    if checkbox:
        parts.append("</div>")
    # Each part was escaped where it was made (format_html, escape) or is this module's markup.
    return mark_safe(" ".join(part for part in parts if part))  # noqa: S308


@register.filter
def as_fields(form: forms.BaseForm) -> SafeString:
    """``{{ form|crispy }}``, without its templates: the form's own errors, then each field
    (a field these filters do not write, by crispy's field template as ``|crispy`` would)."""
    parts = []
    if errors := form.non_field_errors():
        parts.append(
            format_html(
                '<div class="alert alert-block alert-danger"> <ul class="m-0"> {} </ul> </div>',
                unordered_list(errors, autoescape=True),
            )
        )
    parts += [as_field(field) for field in form]
    return mark_safe(" ".join(parts))  # noqa: S308 (each part escaped where it was made)


def _widget(field: BoundField, classes: str) -> str:
    """The widget with crispy's classes added to its own (crispy's CrispyFieldNode): its
    kind (``textinput``, ``select``…), then Bootstrap's."""
    widget = field.field.widget
    kind = type(widget).__name__.lower()
    kind = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(kind, kind)
    css_class = widget.attrs.get("class", "")
    if css_class:
        if css_class.find(kind) == -1:
            css_class += f" {kind}"
    else:
        css_class = kind
    for name in classes.split():
        if name not in css_class.split():
            css_class += f" {name}"
    widget.attrs["class"] = css_class
    return _widget_html(field)


# Django's templates of these widgets, whose few lines _widget_html writes (in Django's
# django/forms/templates/django/forms/widgets/): each of the first includes input.html.
_INPUTS = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in ("text", "number", "email", "url", "password", "hidden", "date", "datetime")
    + ("time", "checkbox", "search", "tel", "color")
)
_TEXTAREA = "django/forms/widgets/textarea.html"
_SELECT = "django/forms/widgets/select.html"
_OPTION = "django/forms/widgets/select_option.html"


def _widget_html(field: BoundField) -> str:
    """``str(field)``: the widget as Django's templates write it, from the context Django
    gives them (BoundField.as_widget), without the template engine: a select of the queue's
    filters was an include per option. Any other widget is rendered by Django."""
    widget = field.field.widget
    template_name = widget.template_name
    if field.field.show_hidden_initial or template_name not in _INPUTS | {_TEXTAREA, _SELECT}:
        return str(field)
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    name = conditional_escape(context["name"])
    if template_name == _TEXTAREA:
        value = conditional_escape(context["value"]) if context["value"] else ""
        return f'<textarea name="{name}"{_attrs(context["attrs"])}>\n{value}</textarea>'
    if template_name == _SELECT:
        parts = [f'<select name="{name}"{_attrs(context["attrs"])}>']
        for group_name, options, _index in context["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                if option["template_name"] != _OPTION:
                    return str(field)
                parts.append(
                    f'\n  <option value="{conditional_escape(option["value"])}"'
                    f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)
    kind, value = conditional_escape(context["type"]), context["value"]
    value = "" if value is None else f' value="{conditional_escape(value)}"'
    return f'<input type="{kind}" name="{name}"{value}{_attrs(context["attrs"])}>'


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ``name="value"``, a bare name for True, none for
    False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _help_and_errors(field: BoundField) -> str:
    """bootstrap5/layout/help_text_and_errors.html: the errors, then the help text."""
    return " ".join(part for part in (_errors(field), _help_text(field)) if part)


def _errors(field: BoundField) -> str:
    """bootstrap5/layout/field_errors_block.html."""
    if not field.errors:
        return ""
    parts = [f'<div id="{_errors_id(field)}_error" class="invalid-feedback">']
    parts += [
        format_html('<p id="error_{}_{}"><strong>{}</strong></p>', number, field.auto_id, error)
        for number, error in enumerate(field.errors, start=1)
    ]
    parts.append("</div>")
    return " ".join(parts)


def _help_text(field: BoundField) -> str:
    """bootstrap5/layout/help_text.html (the help text is the form's own markup, unescaped)."""
    if not field.help_text:
        return ""
    identifier = format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else ""
    return f'<div {identifier}class="form-text">{field.help_text}</div>'


def _errors_id(field: BoundField) -> str:
    # As the template writes {{ field.errors.field_id }}.
    field_id = getattr(field.errors, "field_id", "")
    return escape("None" if field_id is None else field_id)


def _choices(field: BoundField) -> str:
    """bootstrap5/layout/radio_checkbox_select.html: a box or button per choice, the errors
    under the last one, then the help text."""
    invalid = " is-invalid" if field.errors else ""
    name = field.html_name
    groups = list(optgroups(field))
    parts = ["<div >"]
    for group_number, (group, options, _index) in enumerate(groups, start=1):
        if group:
            parts.append(format_html("<strong>{}</strong>", group))
        for number, option in enumerate(options, start=1):
            attrs = _attrs(option["attrs"])  # bootstrap5/layout/attrs.html, the same
            parts.append(
                f'<div class="form-check"> <input type="{escape(option["type"])}" '
                f'class="form-check-input{invalid}" name="{escape(name)}" '
                f'value="{conditional_escape(unlocalize(option["value"]))}"{attrs}> '
                f'<label for="{escape(option["attrs"].get("id", ""))}" class="form-check-label"> '
                f"{conditional_escape(unlocalize(option['label']))} </label>"
            )
            if number == len(options) and group_number == len(groups):
                parts.append(_errors(field))  # under the last choice
            parts.append("</div>")
    parts += ["</div>", _help_text(field)]
    return " ".join(part for part in parts if part)

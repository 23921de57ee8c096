"""The report form draws its fields without crispy-forms' templates, which took most of the time
of the page every report starts from (issue 12: 50 submissions a second): through the
form_fields filter (incidents/templatetags/form_fields.py), and its evidence input through
templates/incidents/report_form_file.html. What a reporter, her browser and her screen reader
get must not change: each field's markup is compared, element by element, with what crispy's
Bootstrap 5 pack writes for it, blank, filled in, and refused with its errors."""

from html.parser import HTMLParser

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.template.loader import render_to_string
from django.utils import translation

from incidents.forms import ReportForm
from incidents.templatetags.form_fields import as_field
from tests.helpers import report_form_data

pytestmark = pytest.mark.django_db

# Drawn by report_form.html itself (the behaviours, as cards) or not a visible field.
NOT_A_FIELD_TEMPLATE = {"categories", "form_token"}


class _Elements(HTMLParser):
    """Tags with their attributes (classes as a set, order aside) and texts, whitespace
    folded: what the browser builds, not how the source is indented."""

    def __init__(self):
        super().__init__()
        self.items: list = []

    def handle_starttag(self, tag, attrs):
        attributes = {
            name: frozenset(value.split()) if name == "class" and value else value
            for name, value in attrs
        }
        self.items.append(("<", tag, attributes))

    def handle_endtag(self, tag):
        self.items.append((">", tag))

    def handle_data(self, data):
        if text := " ".join(data.split()):
            self.items.append(("text", text))


def elements(html: str) -> list:
    parser = _Elements()
    parser.feed(html)
    return parser.items


def drawn(field) -> str:
    """The field as report_form.html draws it."""
    if field.name == "evidence":
        return render_to_string("incidents/report_form_file.html", {"field": field})
    return as_field(field)


def assert_drawn_as_crispy_did(form: ReportForm) -> None:
    for name in form.fields:
        if name in NOT_A_FIELD_TEMPLATE:
            continue
        ours = drawn(form[name])
        assert elements(ours) == elements(as_crispy_field(form[name])), name


@pytest.fixture
def center(staff_tokyo):
    from incidents.selectors import reporting_centers

    return reporting_centers(staff_tokyo).first()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_blank_form_is_drawn_as_crispy_drew_it(staff_tokyo, language):
    with translation.override(language):
        assert_drawn_as_crispy_did(ReportForm(user=staff_tokyo))


def test_a_filled_in_form_is_drawn_as_crispy_drew_it(staff_tokyo, center):
    data = report_form_data(
        center, injury="on", injury_details="腕を打った。", support_requested="on"
    )
    form = ReportForm(data, user=staff_tokyo)
    assert form.is_valid(), form.errors
    assert_drawn_as_crispy_did(form)


def test_a_refused_form_is_drawn_with_its_errors_as_crispy_drew_it(staff_tokyo, center):
    data = report_form_data(
        center,
        occurred_at="2099-01-01T10:00",
        online_url="not an address",
        duration_minutes="-3",
        channel="by pigeon",
        demand_legitimacy="perhaps",
        narrative="x" * 50_001,
    )
    form = ReportForm(data, user=staff_tokyo)
    assert not form.is_valid()
    assert {"occurred_at", "online_url", "duration_minutes", "channel", "narrative"} <= set(
        form.errors
    )
    assert_drawn_as_crispy_did(form)


def test_errors_added_after_the_checks_are_drawn_as_crispy_drew_them(staff_tokyo, center):
    """A submission's problems come from the service, after the form's own checks."""
    form = ReportForm(report_form_data(center, demand_legitimacy=""), user=staff_tokyo)
    assert form.is_valid(), form.errors
    form.add_error("demand_legitimacy", "This is needed before you submit.")
    form.add_error("injury_details", "Say who was hurt and how.")
    form.add_error("evidence", "photo.exe: not a photo.")
    assert_drawn_as_crispy_did(form)

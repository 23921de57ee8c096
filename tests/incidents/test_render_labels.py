"""The filters and tags that write the rows of the queue, the case files and the report page
(incidents/templatetags/portal.py) show what Django's own methods and the badge template
showed, in both languages."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from incidents.models import CaseFile, EventKind, IncidentReport, TimelineEvent
from incidents.templatetags.portal import label, severity_badge
from policy.models import Severity

LANGUAGES = ["ja", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_events_kind_reads_as_get_kind_display(language):
    with translation.override(language):
        for kind in [*EventKind.values, "no_longer_a_kind"]:
            event = TimelineEvent(kind=kind)
            assert label(event, "kind") == event.get_kind_display()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_severity_and_a_status_read_as_their_display(language):
    with translation.override(language):
        for severity in [*Severity.values, ""]:
            report = IncidentReport(severity=severity)
            assert label(report, "severity") == report.get_severity_display()
        for status in CaseFile._meta.get_field("status").get_choices(include_blank=False):
            case_file = CaseFile(status=status[0])
            assert label(case_file, "status") == case_file.get_status_display()


def test_the_label_follows_the_language_of_the_page():
    event = TimelineEvent(kind=EventKind.ESCALATED)
    with translation.override("en"):
        english = label(event, "kind")
    with translation.override("ja"):
        japanese = label(event, "kind")
    assert english == "Escalated"
    assert japanese != english


BADGE_AS_IT_WAS = Template(
    "{% if severity %}<span class=\"badge {% if severity == 'critical' %}text-bg-danger"
    "{% elif severity == 'high' %}text-bg-warning{% elif severity == 'medium' %}text-bg-info"
    '{% else %}text-bg-secondary{% endif %}" data-severity="{{ severity }}">{{ label }}</span>'
    "{% endif %}"
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_severity_badge_is_the_included_template_it_replaces(language):
    with translation.override(language):
        for severity in [*Severity.values, ""]:
            report = IncidentReport(severity=severity)
            shown = report.get_severity_display()
            was = BADGE_AS_IT_WAS.render(Context({"severity": severity, "label": shown}))
            assert severity_badge(severity) == was
            assert severity_badge(severity, "<b>") == BADGE_AS_IT_WAS.render(
                Context({"severity": severity, "label": "<b>"})
            )


def test_pages_that_still_include_the_badge_template_get_the_tags_badge():
    include = Template('{% include "incidents/_badges.html" with severity=s label=l %}')
    html = include.render(Context({"s": "high", "l": "High"})).strip()
    assert html == severity_badge("high", "High")
    assert include.render(Context({"s": "", "l": ""})).strip() == ""

"""The data migration that turned the English notes of old timeline events into details
(incidents/migrations/0011_timeline_details.py), run on events written as the code used to
write them, through the append-only trigger that guards every other write."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import DatabaseError, transaction

from incidents.models import Escalation, EscalationRule, EventKind, TimelineEvent
from incidents.services.timeline import record_event
from tests.helpers import file_report

migration = importlib.import_module("incidents.migrations.0011_timeline_details")


@pytest.fixture
def report(staff_tokyo):
    return file_report(staff_tokyo, candidate_id_entered="SR48000001")


def old_event(kind, report, note):
    return record_event(kind, actor=None, report=report, note=note)


def test_old_notes_become_details_and_the_reason_stays(report):
    rule = EscalationRule.objects.get(name_en="High-severity report")
    escalated = old_event(EventKind.ESCALATED, report, "High-severity report")
    corrected = old_event(
        EventKind.REPORT_CORRECTED,
        report,
        "verbal_abuse → prolonged_detention, verbal_abuse; high → critical. He blocked the "
        "exit. Then he left.",
    )
    relinked = old_event(EventKind.REPORT_RELINKED, report, "— → SR48000001. Found later.")
    typed = old_event(EventKind.CASE_FILE_CLOSED, report, "Caution given → he left. Done.")
    migration.notes_to_details(apps, None)
    for event in (escalated, corrected, relinked, typed):
        event.refresh_from_db()
    assert (escalated.details, escalated.note) == ({"rule": rule.pk}, "")
    assert corrected.details == {
        "categories": [["verbal_abuse"], ["prolonged_detention", "verbal_abuse"]],
        "severity": ["high", "critical"],
    }
    assert corrected.note == "He blocked the exit. Then he left."
    assert (relinked.details, relinked.note) == ({"candidate": ["", "SR48000001"]}, "Found later.")
    # A person's words that merely look like a summary are left alone.
    assert (typed.details, typed.note) == ({}, "Caution given → he left. Done.")


def test_a_note_that_does_not_parse_is_kept(report):
    unknown_rule = old_event(EventKind.ESCALATED, report, "A rule renamed since")
    unknown_code = old_event(EventKind.REPORT_CORRECTED, report, "shouting → verbal_abuse. Why.")
    migration.notes_to_details(apps, None)
    for event in (unknown_rule, unknown_code):
        before = event.note
        event.refresh_from_db()
        assert (event.details, event.note) == ({}, before)


def test_the_timeline_stays_append_only_after_the_migration(report):
    old_event(EventKind.ESCALATED, report, "High-severity report")
    migration.notes_to_details(apps, None)
    event = TimelineEvent.objects.filter(report=report).first()
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
        TimelineEvent.objects.filter(pk=event.pk).update(note="rewritten")
    assert Escalation.objects.filter(report=report).exists()  # the report escalated as usual

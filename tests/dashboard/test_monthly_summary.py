"""The monthly summary e-mail: on the first working day of a month each manager gets the
figures of the month before, in her own language, through the outbox, once however often the
beat fires; never a name, a reference or a narrative."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core import mail

from dashboard.services import first_working_day, monthly_summaries_send
from dashboard.tasks import send_monthly_summary
from outbox.models import Email
from tests.helpers import deliver_outbox


@pytest.mark.parametrize(
    ("year", "month", "first"),
    [
        (2025, 9, 1),  # a Monday
        (2025, 11, 4),  # Saturday, Sunday, then Culture Day
        (2026, 1, 5),  # New Year's holidays, then a weekend
        (2026, 2, 2),  # a Sunday first
        (2027, 5, 6),  # Saturday, Sunday, then Golden Week
    ],
)
def test_the_first_working_day_skips_weekends_and_holidays(year, month, first):
    assert first_working_day(year, month) == date(year, month, first)


def test_managers_get_the_figures_of_the_month_before_in_their_language(
    known_reports, manager, legal, settings
):
    settings.SITE_URL = "https://portal.example.com"
    manager.language = "en"
    manager.save(update_fields=["language"])
    sent = monthly_summaries_send(today=date(2025, 9, 1))
    assert [email.to for email in sent] == [manager.email]  # managers only: not legal
    assert deliver_outbox("monthly-summary:") == 1
    (message,) = mail.outbox
    assert message.to == [manager.email]
    assert message.subject == "[Harassment Portal] The figures of August 2025"
    body = message.body
    # August: A and B at Tokyo, both high; A asked for support (followed up), B for advice;
    # triaged after 2 and 28 hours (the median, by nearest rank, the shorter); one decision,
    # 24 hours after A; CAND0001 twice.
    for line in (
        "- Reports submitted: 2\n",
        "- Critical: 0 / High: 2\n",
        "- Support requested: 1 (awaiting follow-up: 0)\n",
        "- Advice requested (borderline): 1\n",
        "- Candidates with 2 or more reports: 1 (3 or more: 0)\n",
        "- Hours to triage (median): 2.0\n",
        "- Hours to a decision (median): 24.0\n",
    ):
        assert line in body
    assert "https://portal.example.com/dashboard/?start=2025-08&end=2025-08" in body
    html = message.alternatives[0][0]
    assert "https://portal.example.com/dashboard/?start=2025-08&amp;end=2025-08" in html
    # Figures only: no reference, candidate, narrative or staff member.
    for report in known_reports.values():
        assert report.reference not in body and report.reference not in html
    for secret in ("CAND0001", "forty minutes", "STF", known_reports["A"].reporter.staff_code):
        assert secret not in body and secret not in html


def test_in_japanese_by_default(known_reports, manager):
    monthly_summaries_send(today=date(2025, 9, 1))
    deliver_outbox("monthly-summary:")
    (message,) = mail.outbox
    assert "2025年8月" in message.subject
    assert "Reports submitted" not in message.body and ": 2\n" in message.body


def test_it_is_sent_once_however_often_the_beat_fires(known_reports, manager):
    with time_machine.travel(date(2025, 9, 1).isoformat() + "T08:00:00+09:00", tick=False):
        assert send_monthly_summary() == 1
        assert send_monthly_summary() == 1  # the same row, found again
    assert Email.objects.filter(key__startswith="monthly-summary:2025-08:").count() == 1
    assert deliver_outbox("monthly-summary:") == 1
    monthly_summaries_send(today=date(2025, 9, 1))
    assert deliver_outbox("monthly-summary:") == 0
    assert len(mail.outbox) == 1


def test_nothing_is_sent_on_another_day(demo, manager):
    assert monthly_summaries_send(today=date(2025, 9, 2)) == []
    assert monthly_summaries_send(today=date(2025, 11, 3)) == []  # Culture Day
    assert not Email.objects.filter(key__startswith="monthly-summary:").exists()

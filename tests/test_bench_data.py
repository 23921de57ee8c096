"""The benchmark's data generator (incidents/bench_data.py): what it writes is what the
services would have left, so the pages measured on it show what a real database shows."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import QuerySet
from django.test import override_settings
from django.utils import timezone

from incidents.bench_data import generate
from incidents.models import (
    RECORD_STATUSES,
    CaseFile,
    Escalation,
    IncidentReport,
    Notification,
    ReferenceCounter,
)
from incidents.search import search_reports
from tests.helpers import file_report

REPORTS = 300


def _generated(bench) -> QuerySet[IncidentReport]:
    return IncidentReport.objects.filter(pk__gt=bench["last_demo_report"])


def _snapshot(last_demo_report: int) -> list[tuple]:
    return list(
        IncidentReport.objects.filter(pk__gt=last_demo_report)
        .order_by("id")
        .values_list("reference", "status", "severity", "narrative", "candidate__candidate_id")
    )


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """300 reports on top of the demo data, for the whole module; rolled back at its end. The
    first generation is rolled back and done again with the same seed, to compare."""
    now = timezone.now()
    with django_db_blocker.unblock(), transaction.atomic():
        last = IncidentReport.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with transaction.atomic():
            generate(reports=REPORTS, seed=7, now=now)
            first = _snapshot(last)
            transaction.set_rollback(True)
        counts = generate(reports=REPORTS, seed=7, now=now)
        yield {"counts": counts, "first": first, "last_demo_report": last}
        transaction.set_rollback(True)


@pytest.fixture
def bench(generated, db):
    return generated


def test_every_record_has_its_own_reference_number(bench):
    records = IncidentReport.objects.filter(status__in=RECORD_STATUSES)
    references = list(records.values_list("reference", flat=True))
    assert len(references) > REPORTS * 0.9
    assert all(re.fullmatch(r"CH-\d{4}-\d{6}", reference) for reference in references)
    assert len(set(references)) == len(references)
    drafts = IncidentReport.objects.exclude(status__in=RECORD_STATUSES)
    assert not drafts.filter(reference__isnull=False).exists()


def test_a_real_submission_gets_the_next_number_of_its_year(bench, staff_tokyo):
    year = timezone.localdate().year
    last = ReferenceCounter.objects.get(year=year).last_number
    assert IncidentReport.objects.filter(reference=f"CH-{year}-{last:06d}").exists()
    report = file_report(staff_tokyo)
    assert report.reference == f"CH-{year}-{last + 1:06d}"


def test_reports_are_linked_to_candidates_and_their_case_files(bench):
    generated = _generated(bench)
    per_candidate = Counter(
        generated.filter(candidate__isnull=False).values_list("candidate_id", flat=True)
    )
    assert max(per_candidate.values()) == 50  # the benchmark's case file of 50 reports
    assert Counter(per_candidate.values())[1] > len(per_candidate) / 3  # most have one or few
    assert CaseFile.objects.filter(candidate__in=per_candidate).count() == len(per_candidate)
    linked = generated.filter(candidate__isnull=False).first()
    assert linked.candidate_id_entered == linked.candidate.candidate_id


def test_search_finds_japanese_terms_in_some_reports(bench):
    records = _generated(bench)
    abusive = search_reports(records, "暴言").count()
    assert 0 < abusive < records.count() / 2


def test_severe_reports_escalated_and_most_notifications_were_read(bench):
    critical = _generated(bench).filter(severity="critical")
    assert critical.exists()
    assert not critical.exclude(escalations__isnull=False).exists()
    portal = Notification.objects.filter(channel="portal", escalation__report__in=_generated(bench))
    unread = portal.filter(read_at__isnull=True).count()
    assert 0 < unread < portal.count() / 2
    email = Notification.objects.filter(channel="email", escalation__report__in=_generated(bench))
    assert email.exists()
    assert not email.filter(outbox_email__isnull=True).exists()
    assert Escalation.objects.filter(acknowledged_at__isnull=False).exists()


def test_the_same_seed_gives_the_same_reports(bench):
    assert _snapshot(bench["last_demo_report"]) == bench["first"]


def test_the_command_refuses_under_production_settings(db):
    with override_settings(DEMO_DATA_ALLOWED=False), pytest.raises(CommandError):
        call_command("generate_bench_data", reports=10)

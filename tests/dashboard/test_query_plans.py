"""The plans PostgreSQL chooses for the dashboard's aggregates on 20,000 reports of ten years
(incidents.bench_data): the figures are summed from the rollup (dashboard/models.py), and
the one query that still reads the reports (today's missed deadlines) reads them through an
index bounded by the period or by today's deadlines, never the whole table; no figure
looks at the timeline or the decisions of each report (the moments are stored on the
report and tallied). What is
checked is the plan, never a time."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tests.dashboard.test_moments import derived_moments, stored_moments
from tests.data_template import REPORTS
from tests.helpers import client_for

# Never read whole: the reports, and their timeline (several events a report).
LARGE = ("incidents_incidentreport", "incidents_timelineevent")


@pytest.fixture(scope="module")
def bench(generated_reports):
    """The demo data plus 20,000 reports, with fresh planner statistics (tests/conftest.py)."""


def plan_of(sql: str, params) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def dashboard_plans(user: User, **query) -> list[dict]:
    """The plans of the dashboard's queries that read the reports."""
    with CaptureQueriesContext(connection) as captured:
        response = client_for(user, language="en").get("/dashboard/", query)
    assert response.status_code == 200
    sqls = [q["sql"] for q in captured if "incidents_incidentreport" in q["sql"]]
    # Today's deadlines missed (every other figure is summed from the rollup, dashboard/models.py).
    assert len(sqls) >= 1
    # The captured SQL has its values inlined: explained as it ran.
    return [plan_of(sql, None) for sql in sqls]


@pytest.mark.parametrize(
    ("username", "query"),
    [
        ("manager", {"start": "2024-01", "end": "2024-03"}),
        ("manager", {"start": "2024-01", "end": "2024-03", "center": "OSA01"}),
        ("supervisor.tokyo", {"start": "2023-10", "end": "2023-12"}),
    ],
)
def test_every_aggregate_reads_the_period_through_an_index(bench, db, username, query):
    user = User.objects.get(username=username)
    for plan in dashboard_plans(user, **query):
        every = list(nodes(plan))
        seq_scans = [n["Relation Name"] for n in every if n["Node Type"] == "Seq Scan"]
        assert not set(seq_scans) & set(LARGE), json.dumps(plan, indent=1)
        reads = [
            n
            for n in every
            if n.get("Relation Name") == "incidents_incidentreport"
            or n.get("Index Name", "").startswith("report_")
        ]
        # By the period, or by today's open deadlines (index escalation_open_deadline).
        bounded = [
            n
            for n in every
            if any(bound in n.get("Index Cond", "") for bound in ("submitted_at", "ack_deadline"))
        ]
        assert reads, json.dumps(plan, indent=1)
        assert bounded, json.dumps(plan, indent=1)


# What a report's figures were computed from, for each report of the period, before the
# moments were stored on the report.
PER_REPORT = ("incidents_timelineevent", "incidents_decision", "incidents_casefile")


@pytest.mark.parametrize(
    ("username", "query"),
    [
        ("manager", {}),  # the default view: the last twelve months, every center
        ("manager", {"start": "2024-01", "end": "2024-03", "center": "OSA01"}),
        ("supervisor.tokyo", {}),
    ],
)
def test_no_figure_looks_up_the_timeline_or_the_decisions_of_each_report(
    bench, db, username, query
):
    """(Which index reads the period is the planner's choice: on a vacuumed database it is an
    index-only scan of report_dashboard; here, in a transaction that cannot vacuum, it may
    prefer another index of the same order.)"""
    user = User.objects.get(username=username)
    for plan in dashboard_plans(user, **query):
        relations = {n.get("Relation Name") for n in nodes(plan)}
        assert not relations & set(PER_REPORT), json.dumps(plan, indent=1)


def test_the_generated_reports_store_the_moments_their_timeline_and_decisions_say(bench, db):
    stored = stored_moments()
    assert stored == derived_moments()
    triaged = sum(1 for triaged_at, _decided_at in stored.values() if triaged_at)
    decided = sum(1 for _triaged_at, decided_at in stored.values() if decided_at)
    assert triaged > REPORTS / 2 and decided > REPORTS / 100

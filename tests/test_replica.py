"""A read replica (DATABASE_REPLICA_URL): the dashboard's figures and the CSV exports read it,
everything else and every write the primary (harassment_portal/routers.py).

The replica here is a second real database made from the migrated template: it has the
policy but none of the demo's users or reports, so a figure read there says so. Each check
runs the portal in a child process with both URLs set, as a web node would be configured."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from tests.helpers import child_env
from tests.template_database import migrated_template

ROOT = Path(__file__).resolve().parents[1]


def _url(name: str) -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"


def _server() -> psycopg.Connection:
    return psycopg.connect(_url("postgres"), autocommit=True)


@pytest.fixture
def replica(demo):
    """A database that plays the replica (with none of the primary's reports), dropped after."""
    name = f"hp_test_replica_{uuid.uuid4().hex[:12]}"
    with _server() as server:
        server.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(migrated_template())
            )
        )
    try:
        yield _url(name)
    finally:
        with _server() as server:
            server.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def run_portal(code: str, replica_url: str) -> dict:
    """``code`` in a child process of the portal configured with the replica; it prints a
    JSON object, returned here."""
    env = child_env(
        DJANGO_SETTINGS_MODULE="harassment_portal.settings.test",
        DATABASE_URL=_url(connection.settings_dict["NAME"]),
        DATABASE_REPLICA_URL=replica_url,
    )
    script = "import django, json\ndjango.setup()\n" + code
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_reporting_reads_take_the_records_from_the_replica_and_nothing_else(replica):
    seen = run_portal(
        """
from harassment_portal.routers import reporting_reads
from incidents.models import IncidentReport
from accounts.models import User
before = IncidentReport.objects.count()
with reporting_reads():
    on_replica = IncidentReport.objects.count()
    user_there = User.objects.filter(username="staff.tokyo").exists()
after = IncidentReport.objects.count()
print(json.dumps({"before": before, "replica": on_replica, "user_there": user_there,
                  "after": after}))
""",
        replica,
    )
    assert seen["before"] > 0  # the demo's reports, on the primary
    assert seen["replica"] == 0
    # Who may see what is read from the primary, even inside the block.
    assert seen["user_there"] is True
    assert seen["after"] == seen["before"]


@pytest.mark.django_db(transaction=True)
def test_a_write_inside_reporting_reads_goes_to_the_primary(replica):
    seen = run_portal(
        """
from harassment_portal.routers import reporting_reads
from incidents.models import Candidate
with reporting_reads():
    candidate = Candidate.objects.create(candidate_id="RPL0000001")
    on_primary = Candidate.objects.using("default").filter(pk=candidate.pk).exists()
    on_replica = Candidate.objects.filter(pk=candidate.pk).exists()
    candidate.delete()
print(json.dumps({"primary": on_primary, "replica": on_replica}))
""",
        replica,
    )
    assert seen == {"primary": True, "replica": False}


def test_without_a_replica_reporting_reads_use_the_primary(db):
    from harassment_portal.routers import reporting_database, reporting_reads

    with reporting_reads():
        assert reporting_database() == "default"


@pytest.mark.django_db(transaction=True)
def test_a_csv_export_reads_the_replica_and_the_page_the_primary(replica):
    seen = run_portal(
        """
from accounts.models import User
from harassment_portal.csv_export import csv_response
from incidents.exports.queue_csv import queue_header, queue_rows
from incidents.models import RECORD_STATUSES
from incidents.selectors.review import ReviewFilters
supervisor = User.objects.get(username="supervisor.tokyo")
every = ReviewFilters(statuses=RECORD_STATUSES)
response = csv_response(queue_header(), queue_rows(supervisor, every), filename="q.csv")
exported = b"".join(response.streaming_content).decode().splitlines()
on_primary = list(queue_rows(supervisor, every))
print(json.dumps({"exported": len(exported) - 1, "primary": len(on_primary)}))
""",
        replica,
    )
    assert seen["primary"] > 0  # the demo's reports of Tokyo
    assert seen["exported"] == 0  # none on the replica: the download read it


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_reads_its_figures_from_the_replica(replica):
    seen = run_portal(
        """
from django.test.utils import setup_test_environment
setup_test_environment()
from accounts.models import User
from dashboard.figures import dashboard_tables
from tests.helpers import client_for
manager = User.objects.get(username="manager")
response = client_for(manager, language="en").get("/dashboard/")
def totals(tables):
    return [[str(cell) for cell in table.total or []] for table in tables]
from dashboard.figures import Figures
from dashboard.selectors import DashboardFilters, Period
from dashboard.services import headline_figures
from django.utils import timezone
month = timezone.localdate().replace(day=1)
from accounts.models import TestCenter
centers = tuple(TestCenter.objects.values_list("pk", flat=True))
this_month = DashboardFilters(period=Period(first=month, last=month), center_ids=centers)
print(json.dumps({
    "status": response.status_code,
    "page": totals(response.context["tables"]),
    "primary": totals(dashboard_tables(response.context["filters"])),
    "summary": headline_figures(manager, month)["reports"],
    "month on the primary": Figures(this_month).whole["reports"],
}))
""",
        replica,
    )
    assert seen["status"] == 200
    assert seen["page"] != seen["primary"]  # the demo's reports counted on the primary only
    # The monthly summary e-mail's figures too.
    assert seen["month on the primary"] > 0
    assert seen["summary"] == 0

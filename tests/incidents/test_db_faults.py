"""Database connections killed while reports are filed (the fault the issue measured from
outside: ``pg_terminate_backend`` every so often during submissions).

Whatever a killed connection interrupts, a report is either submitted in full (reference,
policy version, timeline event, escalations) or still a draft, never half-written; no
evidence file stays on disk without its row, nor a row without its file; and whoever's
request failed sees the portal's own 500 page, which sends them to "My reports"."""

import random
import re
import threading
import uuid
from datetime import timedelta

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection
from django.utils import timezone

from incidents.evidence import evidence_orphans
from incidents.models import EventKind, IncidentReport, ReportStatus, TimelineEvent
from tests.helpers import client_for
from tests.samples import png_bytes

SUBMISSIONS = 12
MAX_SUBMISSIONS = 60
MAX_KILL_ROUNDS = 400
REFERENCE = re.compile(r"^CH-\d{4}-\d{6}$")

KILL_EVERY_OTHER_CLIENT = """
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
  AND backend_type = 'client backend'
"""


class ConnectionKiller(threading.Thread):
    """Kills every other connection to the test database at random short intervals, on a
    connection of its own, until stopped (or for a bounded number of rounds)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.killed = 0
        db = connection.settings_dict
        self.conninfo = {
            "dbname": db["NAME"],
            "user": db["USER"] or None,
            "password": db["PASSWORD"] or None,
            "host": db["HOST"] or None,
            "port": db["PORT"] or None,
        }

    def run(self):
        pause = random.Random(8)  # the same storm on every run
        with psycopg.connect(autocommit=True, **self.conninfo) as admin:
            for _round in range(MAX_KILL_ROUNDS):
                if self.stop.wait(pause.uniform(0.05, 0.5)):
                    return
                self.killed += admin.execute(KILL_EVERY_OTHER_CLIENT).fetchone()[0]


def report_form(center, token: uuid.UUID) -> dict:
    occurred = timezone.localtime() - timedelta(minutes=30)
    return {
        "form_token": str(token),
        "center": center.pk,
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        "channel": "in_person_checkin",
        "location": "Check-in desk",
        "demand": "A retest today.",
        "demand_legitimacy": "no",
        "narrative": "The candidate pushed a proctor against the wall.",
        # Escalates at once to managers and legal: escalations are part of a submission.
        "categories": ["physical_attack"],
        "duration_minutes": "10",
        "action": "submit",
        "evidence": [SimpleUploadedFile("desk.png", png_bytes(), content_type="image/png")],
    }


def assert_whole(report: IncidentReport) -> None:
    submitted_events = TimelineEvent.objects.filter(
        report=report, kind=EventKind.REPORT_SUBMITTED
    ).count()
    if report.status == ReportStatus.SUBMITTED:
        assert REFERENCE.match(report.reference or ""), report.reference
        assert report.policy_version_id is not None
        assert report.submitted_at is not None
        assert submitted_events == 1
        assert report.escalations.exists()
    else:
        assert report.status == ReportStatus.DRAFT
        assert report.reference is None
        assert report.submitted_at is None
        assert submitted_events == 0
        assert not report.escalations.exists()


@pytest.mark.django_db(transaction=True)
def test_killed_connections_leave_every_report_whole_and_no_evidence_orphaned(
    demo, staff_tokyo, evidence_root, settings
):
    settings.DEBUG = False
    center = staff_tokyo.memberships.get().center
    client = client_for(staff_tokyo, language="en")
    client.raise_request_exception = False
    responses = {}

    killer = ConnectionKiller()
    killer.start()
    try:
        # At least SUBMISSIONS, and on until some failed and some went through (bounded).
        while len(responses) < MAX_SUBMISSIONS:
            # What the server does as each request starts: drop a connection that died.
            close_old_connections()
            token = uuid.uuid4()
            responses[token] = client.post("/incidents/new/", report_form(center, token))
            seen = {response.status_code for response in responses.values()}
            if len(responses) >= SUBMISSIONS and {302, 500} <= seen:
                break
    finally:
        killer.stop.set()
        killer.join()
    connection.close()

    statuses = [response.status_code for response in responses.values()]
    assert killer.killed > 0
    assert set(statuses) <= {302, 500}, statuses
    assert 500 in statuses, "no request failed: the storm did not reach the submissions"
    for token, response in responses.items():
        report = IncidentReport.objects.filter(form_token=token).first()
        if response.status_code == 302:
            assert report is not None and report.status == ReportStatus.SUBMITTED
            assert response["Location"] == f"/incidents/{report.reference}/submitted/"
        else:
            page = response.content.decode()
            assert "Your draft is safe" in page and 'href="/incidents/mine/"' in page
        if report is not None:
            assert_whole(report)

    print(  # seen with -s: how hard the storm hit
        f"{statuses.count(302)} submitted, {statuses.count(500)} failed, "
        f"{killer.killed} connections killed"
    )
    orphans = evidence_orphans()
    assert orphans.files_without_row == []
    assert orphans.rows_without_file == []

"""No evidence file stays on disk without its row: a failed transaction takes its files back,
and ``manage.py evidence_orphans`` (and the nightly task) find whatever a crash left.

The failures are real PostgreSQL errors, raised by triggers the tests install."""

import io
import os
import subprocess
import sys
import time
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, connection

from harassment_portal.tasks import log_evidence_orphans
from incidents.models import Addendum, Attachment
from incidents.services import (
    report_add_addendum,
    report_attach_evidence,
    report_remove_draft_evidence,
)
from tests.helpers import child_env, file_report
from tests.samples import jpeg_bytes, png_bytes


def files_under(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def photos(count: int = 2) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(f"photo-{i}.png", png_bytes(), content_type="image/png")
        for i in range(count)
    ]


FAIL_ON_SECOND_ATTACHMENT = """
CREATE FUNCTION test_refuse_second_attachment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM incidents_attachment WHERE report_id = NEW.report_id) THEN
        RAISE EXCEPTION 'the disk of the database is full (test)';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER test_refuse_second_attachment BEFORE INSERT ON incidents_attachment
    FOR EACH ROW EXECUTE FUNCTION test_refuse_second_attachment();
"""

# Raised by COMMIT itself: the failure the service cannot see coming inside its block.
FAIL_AT_COMMIT = """
CREATE FUNCTION test_refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the commit failed (test)';
END $$;
CREATE CONSTRAINT TRIGGER test_refuse_at_commit AFTER INSERT ON incidents_attachment
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_refuse_at_commit();
"""


def install(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


# --- A failed transaction takes its files back ---------------------------------------------------


def test_a_draft_whose_evidence_cannot_be_recorded_keeps_no_file(staff_tokyo, evidence_root):
    draft = file_report(staff_tokyo, submit=False)
    install(FAIL_ON_SECOND_ATTACHMENT)
    with pytest.raises(DatabaseError):
        # The first file is written and its row inserted; the second row fails: both go.
        report_attach_evidence(report=draft, files=photos(2), by=staff_tokyo)
    assert not Attachment.objects.filter(report=draft).exists()
    assert files_under(evidence_root) == []


def test_an_addendum_whose_evidence_cannot_be_recorded_keeps_no_file(staff_tokyo, evidence_root):
    report = file_report(staff_tokyo)
    install(FAIL_ON_SECOND_ATTACHMENT)
    with pytest.raises(DatabaseError):
        report_add_addendum(report=report, by=staff_tokyo, text="Two photos.", files=photos(2))
    assert not Addendum.objects.filter(report=report).exists()
    assert files_under(evidence_root) == []


@pytest.mark.django_db(transaction=True)
def test_evidence_whose_commit_fails_keeps_no_file(demo, staff_tokyo, evidence_root):
    draft = file_report(staff_tokyo, submit=False)
    install(FAIL_AT_COMMIT)
    try:
        with pytest.raises(DatabaseError):
            report_attach_evidence(report=draft, files=photos(1), by=staff_tokyo)
    finally:
        install(
            "DROP TRIGGER test_refuse_at_commit ON incidents_attachment;"
            "DROP FUNCTION test_refuse_at_commit();"
        )
    assert not Attachment.objects.filter(report=draft).exists()
    assert files_under(evidence_root) == []


def test_evidence_that_is_recorded_stays_on_disk(staff_tokyo, evidence_root):
    draft = file_report(staff_tokyo, submit=False)
    stored, rejected = report_attach_evidence(report=draft, files=photos(2), by=staff_tokyo)
    assert rejected == []
    assert files_under(evidence_root) == sorted(a.file.name for a in stored)


@pytest.mark.django_db(transaction=True)
def test_evidence_removed_from_a_draft_leaves_the_disk_once_committed(
    demo, staff_tokyo, evidence_root
):
    draft = file_report(staff_tokyo, submit=False)
    (attachment,), _rejected = report_attach_evidence(report=draft, files=photos(1), by=staff_tokyo)
    report_remove_draft_evidence(attachment=attachment, by=staff_tokyo)
    assert files_under(evidence_root) == []


# --- Finding orphans ------------------------------------------------------------------------------


def plant_orphan(root, *, minutes_old: float) -> str:
    name = f"evidence/2026/01/{uuid.uuid4().hex}.jpg"
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_bytes())
    then = time.time() - minutes_old * 60
    os.utime(path, (then, then))
    return name


def run_command(*args: str) -> str:
    output = io.StringIO()
    call_command("evidence_orphans", *args, stdout=output)
    return output.getvalue()


def test_the_command_lists_a_file_without_row_and_a_row_without_file(staff_tokyo, evidence_root):
    draft = file_report(staff_tokyo, submit=False)
    (kept, lost), _rejected = report_attach_evidence(report=draft, files=photos(2), by=staff_tokyo)
    (evidence_root / lost.file.name).unlink()
    orphan = plant_orphan(evidence_root, minutes_old=90)

    output = run_command()
    assert f"file without row: {orphan} (90 min old)" in output
    assert f"row without file: attachment {lost.pk} of {draft.public_id}" in output
    assert kept.file.name not in output
    assert "1 file(s) without row, 1 row(s) without file, 0 deleted" in output
    assert (evidence_root / orphan).exists()  # listing deletes nothing


def test_delete_removes_only_orphans_older_than_an_hour(staff_tokyo, evidence_root):
    draft = file_report(staff_tokyo, submit=False)
    (kept,), _rejected = report_attach_evidence(report=draft, files=photos(1), by=staff_tokyo)
    old = plant_orphan(evidence_root, minutes_old=61)
    recent = plant_orphan(evidence_root, minutes_old=5)  # maybe an upload still in progress

    output = run_command("--delete")
    assert f"deleted: {old}" in output
    assert files_under(evidence_root) == sorted([kept.file.name, recent])


def test_the_nightly_task_counts_what_it_logs(staff_tokyo, evidence_root, caplog):
    orphan = plant_orphan(evidence_root, minutes_old=120)
    assert log_evidence_orphans() == {"files_without_row": 1, "rows_without_file": 0}
    assert orphan in caplog.text
    assert (evidence_root / orphan).exists()


DISCOVERED_TASKS = """
import django
django.setup()
from harassment_portal.celery import app
app.loader.import_default_modules()  # what a worker and beat do at start: autodiscovery
print("\\n".join(app.tasks))
"""


def test_the_nightly_check_is_on_the_beat_schedule_and_found_by_workers(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["log-evidence-orphans"]
    assert entry["task"] == log_evidence_orphans.name
    discovered = subprocess.run(
        [sys.executable, "-c", DISCOVERED_TASKS],
        env=child_env(DJANGO_SETTINGS_MODULE="harassment_portal.settings.test"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert discovered.returncode == 0, discovered.stderr
    assert log_evidence_orphans.name in discovered.stdout.split()


FAIL_ON_TIMELINE = """
CREATE FUNCTION test_refuse_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the timeline could not be written (test)';
END $$;
CREATE TRIGGER test_refuse_timeline BEFORE INSERT ON incidents_timelineevent
    FOR EACH ROW EXECUTE FUNCTION test_refuse_timeline();
"""


def test_an_addendum_that_fails_after_its_evidence_was_stored_keeps_no_file(
    staff_tokyo, evidence_root
):
    report = file_report(staff_tokyo)
    install(FAIL_ON_TIMELINE)  # the evidence is in; the timeline event after it fails
    with pytest.raises(DatabaseError):
        report_add_addendum(report=report, by=staff_tokyo, text="A photo.", files=photos(1))
    assert not Addendum.objects.filter(report=report).exists()
    assert files_under(evidence_root) == []

"""The retention period and the legal hold (issue 11, item 6): five years after a case file
closes, the candidate's name and contact and the evidence files go, unless legal holds the
file; drafts never submitted go after thirty days; a dry run lists what is due first."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from incidents.models import (
    Attachment,
    Candidate,
    CaseFile,
    EventKind,
    IncidentReport,
    RetentionAction,
    RetentionActionKind,
    TimelineEvent,
)
from incidents.selectors.retention import case_files_due, drafts_due, retention_plan
from incidents.services import report_submit
from incidents.services.cases import case_file_set_status
from incidents.services.errors import CaseFileError
from incidents.services.reports import report_attach_evidence
from incidents.services.retention import (
    case_file_release_legal_hold,
    case_file_set_legal_hold,
    retention_apply,
)
from incidents.tasks import apply_retention
from tests.helpers import child_env, client_for, file_report
from tests.samples import jpeg_bytes

pytestmark = pytest.mark.django_db

NAME = "山田 太郎"
CONTACT = "yamada.taro@example.com"


def signed_in(user, *, language: str = "ja"):
    """A client past the second factor that privileged roles now give (mfa/): the session
    names a device of hers, as django-otp's login does."""
    client = client_for(user, language=language)
    try:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:  # pragma: no cover - before the second factor
        return client
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="test device"
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _with_evidence(reporter, **values):
    draft = file_report(reporter, submit=False, **values)
    report_attach_evidence(
        report=draft, files=[SimpleUploadedFile("photo.jpg", jpeg_bytes())], by=reporter
    )
    return draft


@pytest.fixture
def closed_case(staff_tokyo, supervisor_tokyo, evidence_root):
    """A candidate with a name, a contact and a photo on file, whose case file was closed."""
    draft = _with_evidence(
        staff_tokyo,
        candidate_id_entered="RET0001",
        candidate_name=NAME,
        candidate_contact=CONTACT,
        narrative=f"{NAME} shouted at the desk for forty minutes; he gave {CONTACT}.",
    )
    report = report_submit(report=draft, by=staff_tokyo)
    case_file = report.case_file
    case_file_set_status(
        case_file=case_file,
        by=supervisor_tokyo,
        status="closed",
        expected_revision=case_file.revision,
        note="Resolved at the desk with 山田太郎.",
    )
    closed_at = case_file.timeline.filter(kind=EventKind.CASE_FILE_CLOSED).latest("pk").created_at
    attachment = report.attachments.get()
    return SimpleNamespace(
        report=report,
        case_file=case_file,
        candidate=case_file.candidate,
        attachment=attachment,
        path=evidence_root / attachment.file.name,
        due_at=closed_at + relativedelta(years=5),
    )


def _run(django_capture_on_commit_callbacks, **kwargs) -> dict:
    # The files go once the run's transactions commit: run those callbacks as a commit would.
    with django_capture_on_commit_callbacks(execute=True):
        return retention_apply(**kwargs)


def test_a_case_file_is_due_five_years_after_it_closed_and_not_a_second_before(closed_case):
    assert settings.RETENTION_CASE_FILE_YEARS == 5
    with time_machine.travel(closed_case.due_at - timedelta(seconds=1), tick=False):
        assert not case_files_due().filter(pk=closed_case.case_file.pk).exists()
    with time_machine.travel(closed_case.due_at, tick=False):
        assert case_files_due().filter(pk=closed_case.case_file.pk).exists()


def test_an_open_case_file_is_never_due(closed_case, supervisor_tokyo):
    case_file = CaseFile.objects.get(pk=closed_case.case_file.pk)
    case_file_set_status(
        case_file=case_file,
        by=supervisor_tokyo,
        status="open",
        expected_revision=case_file.revision,
        note="He came back.",
    )
    with time_machine.travel(closed_case.due_at + timedelta(days=400), tick=False):
        assert not case_files_due().filter(pk=case_file.pk).exists()


def test_the_run_blanks_name_and_contact_and_deletes_the_files_keeping_rows_and_digests(
    closed_case, django_capture_on_commit_callbacks, legal
):
    assert closed_case.path.exists()
    digest = closed_case.attachment.sha256
    with time_machine.travel(closed_case.due_at, tick=False):
        done = _run(django_capture_on_commit_callbacks)
    assert done["case_files"] >= 1 and done["evidence_files"] >= 1

    candidate = Candidate.objects.get(pk=closed_case.candidate.pk)
    assert (candidate.name, candidate.contact) == ("", "")
    assert candidate.anonymised_at is not None
    assert candidate.candidate_id == "RET0001"  # a restriction still reaches the desk
    report = IncidentReport.objects.get(pk=closed_case.report.pk)
    assert (report.candidate_name, report.candidate_contact) == ("", "")
    # What happened stays on record; who it was does not, wherever staff typed it.
    assert report.narrative == "[…] shouted at the desk for forty minutes; he gave […]."
    closing = closed_case.case_file.timeline.get(kind=EventKind.CASE_FILE_CLOSED)
    assert closing.note == "Resolved at the desk with […]."

    # Gone from disk; the row stays with its digest: the chain of custody shows what was held.
    assert not closed_case.path.exists()
    attachment = Attachment.objects.get(pk=closed_case.attachment.pk)
    assert attachment.removed_at is not None and attachment.sha256 == digest
    assert not attachment.file

    # The change history no longer holds the name either.
    history = apps.get_model("incidents", "CandidateEvent").objects
    assert not history.filter(pgh_obj_id=candidate.pk, name=NAME).exists()
    report_history = apps.get_model("incidents", "IncidentReportEvent").objects
    assert not report_history.filter(pgh_obj_id=report.pk, candidate_name=NAME).exists()
    assert not report_history.filter(pgh_obj_id=report.pk, narrative__contains=NAME).exists()
    assert not report_history.filter(pgh_obj_id=report.pk, narrative__contains=CONTACT).exists()

    # What was done is on record: the retention log and the case file's timeline.
    kinds = set(
        RetentionAction.objects.filter(case_file=closed_case.case_file).values_list(
            "kind", flat=True
        )
    )
    assert kinds == {RetentionActionKind.CANDIDATE_ANONYMISED, RetentionActionKind.EVIDENCE_REMOVED}
    assert closed_case.case_file.timeline.filter(kind=EventKind.PERSONAL_DATA_REMOVED).exists()

    # What legal sees: no name on the case file, the photo listed as removed, no download.
    page = signed_in(legal, language="en").get(
        reverse("cases:detail", args=[closed_case.case_file.pk])
    )
    assert page.status_code == 200
    assert "RET0001" in page.content.decode()
    assert NAME not in page.content.decode() and CONTACT not in page.content.decode()
    report_page = signed_in(legal, language="en").get(
        reverse("incidents:detail", args=[report.reference])
    )
    assert report_page.status_code == 200
    assert "file removed on" in report_page.content.decode()
    assert digest in report_page.content.decode()
    download = signed_in(legal).get(reverse("incidents:evidence", args=[attachment.pk]))
    assert download.status_code == 404


def test_the_log_cannot_be_changed(closed_case, django_capture_on_commit_callbacks):
    from django.db import DatabaseError, transaction

    with time_machine.travel(closed_case.due_at, tick=False):
        _run(django_capture_on_commit_callbacks)
    action = RetentionAction.objects.filter(case_file=closed_case.case_file).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        RetentionAction.objects.filter(pk=action.pk).delete()


def test_a_legal_hold_keeps_everything_until_it_is_released(
    closed_case, legal, django_capture_on_commit_callbacks
):
    case_file_set_legal_hold(
        case_file=closed_case.case_file, by=legal, reason="Lawsuit filed by the candidate."
    )
    with time_machine.travel(closed_case.due_at + timedelta(days=30), tick=False):
        plan = retention_plan()
        assert closed_case.case_file.pk in {item.case_file_id for item in plan.held}
        assert closed_case.case_file.pk not in {item.case_file_id for item in plan.case_files}
        _run(django_capture_on_commit_callbacks)
    candidate = Candidate.objects.get(pk=closed_case.candidate.pk)
    assert (candidate.name, candidate.contact) == (NAME, CONTACT)
    assert closed_case.path.exists()
    assert not RetentionAction.objects.filter(case_file=closed_case.case_file).exists()
    kinds = list(closed_case.case_file.timeline.values_list("kind", flat=True))
    assert EventKind.LEGAL_HOLD_SET in kinds

    case_file_release_legal_hold(
        case_file=closed_case.case_file, by=legal, reason="The suit was settled."
    )
    with time_machine.travel(closed_case.due_at + timedelta(days=31), tick=False):
        _run(django_capture_on_commit_callbacks)
    assert Candidate.objects.get(pk=closed_case.candidate.pk).name == ""
    assert not closed_case.path.exists()


def test_only_legal_sets_a_hold_and_always_with_a_reason(closed_case, legal, manager):
    with pytest.raises(CaseFileError):
        case_file_set_legal_hold(case_file=closed_case.case_file, by=manager, reason="Because.")
    with pytest.raises(CaseFileError):
        case_file_set_legal_hold(case_file=closed_case.case_file, by=legal, reason="  ")
    case_file = CaseFile.objects.get(pk=closed_case.case_file.pk)
    assert not case_file.legal_hold


def test_the_dry_run_lists_what_is_due_and_changes_nothing(closed_case, staff_osaka):
    old_draft = file_report(staff_osaka, submit=False, narrative="Half-written.")
    out = io.StringIO()
    with time_machine.travel(closed_case.due_at, tick=False):
        call_command("retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "RET0001" in text and "1 evidence file(s)" in text
    assert str(old_draft.public_id) in text and staff_osaka.staff_code in text
    assert NAME not in text and CONTACT not in text  # references and counts only
    assert "nothing was changed" in text
    assert Candidate.objects.get(pk=closed_case.candidate.pk).name == NAME
    assert closed_case.path.exists()
    assert IncidentReport.objects.filter(pk=old_draft.pk).exists()
    assert not RetentionAction.objects.exists()


def test_a_second_run_changes_nothing(closed_case, django_capture_on_commit_callbacks):
    with time_machine.travel(closed_case.due_at, tick=False):
        _run(django_capture_on_commit_callbacks)
        logged = RetentionAction.objects.count()
        events = closed_case.case_file.timeline.count()
        assert _run(django_capture_on_commit_callbacks) == {
            "case_files": 0,
            "evidence_files": 0,
            "drafts": 0,
        }
    assert RetentionAction.objects.count() == logged
    assert closed_case.case_file.timeline.count() == events


def test_small_batches_take_everything_that_is_due(
    closed_case, staff_osaka, supervisor_osaka, django_capture_on_commit_callbacks
):
    second = file_report(staff_osaka, candidate_id_entered="RET0002", candidate_name="佐藤 花子")
    case_file_set_status(
        case_file=second.case_file,
        by=supervisor_osaka,
        status="closed",
        expected_revision=second.case_file.revision,
        note="Resolved.",
    )
    with time_machine.travel(closed_case.due_at + timedelta(days=1), tick=False):
        _run(django_capture_on_commit_callbacks, batch_size=1)
    assert set(
        Candidate.objects.filter(candidate_id__in=["RET0001", "RET0002"]).values_list(
            "name", flat=True
        )
    ) == {""}


def test_drafts_never_submitted_go_with_their_files_after_thirty_days(
    staff_tokyo, evidence_root, django_capture_on_commit_callbacks
):
    assert settings.RETENTION_DRAFT_DAYS == 30
    draft = _with_evidence(staff_tokyo, narrative="I started writing this and stopped.")
    path = evidence_root / draft.attachments.get().file.name
    saved_at = IncidentReport.objects.get(pk=draft.pk).updated_at
    record = file_report(staff_tokyo)  # a submitted report of the same age stays

    with time_machine.travel(saved_at + timedelta(days=30) - timedelta(seconds=1), tick=False):
        assert not drafts_due().filter(pk=draft.pk).exists()
    with time_machine.travel(saved_at + timedelta(days=30), tick=False):
        assert drafts_due().filter(pk=draft.pk).exists()
        done = _run(django_capture_on_commit_callbacks)
    assert done["drafts"] >= 1
    assert not IncidentReport.objects.filter(pk=draft.pk).exists()
    assert not path.exists()
    history = apps.get_model("incidents", "IncidentReportEvent").objects
    assert not history.filter(pgh_obj_id=draft.pk).exists()
    action = RetentionAction.objects.get(report_public_id=draft.public_id)
    assert action.kind == RetentionActionKind.DRAFT_PURGED and action.reporter == staff_tokyo
    assert action.details["evidence_files"] == 1
    assert IncidentReport.objects.filter(pk=record.pk).exists()


def test_a_withdrawn_draft_goes_too(staff_tokyo, django_capture_on_commit_callbacks):
    from incidents.services import report_withdraw_draft

    draft = report_withdraw_draft(report=file_report(staff_tokyo, submit=False), by=staff_tokyo)
    with time_machine.travel(draft.updated_at + timedelta(days=31), tick=False):
        _run(django_capture_on_commit_callbacks)
    assert not IncidentReport.objects.filter(pk=draft.pk).exists()


def test_the_nightly_task_is_scheduled_and_runs_the_service(
    closed_case, django_capture_on_commit_callbacks
):
    schedule = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert schedule["task"] == apply_retention.name
    with (
        time_machine.travel(closed_case.due_at, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        done = apply_retention.apply().get()
    assert done["case_files"] >= 1
    assert not closed_case.path.exists()


def test_a_bad_retention_setting_stops_start_up():
    def check(**env):
        return subprocess.run(
            [sys.executable, "manage.py", "check"],
            env=child_env(**env),
            capture_output=True,
            text=True,
            timeout=60,
        ).stderr

    assert "RETENTION_CASE_FILE_YEARS='five' is not a whole number" in check(
        RETENTION_CASE_FILE_YEARS="five"
    )
    assert "RETENTION_DRAFT_DAYS=0 is below its minimum of 1" in check(RETENTION_DRAFT_DAYS="0")


def test_legal_sets_and_releases_a_hold_from_the_case_file_page(closed_case, legal, manager):
    case_file = closed_case.case_file
    url = reverse("cases:legal_hold", args=[case_file.pk])
    page = signed_in(legal, language="en").get(reverse("cases:detail", args=[case_file.pk]))
    assert url in page.content.decode()

    # A manager reads the case file but holds nothing: the hold is legal's.
    assert signed_in(manager).post(url, {"reason": "Because."}).status_code == 404
    assert (
        url
        not in signed_in(manager).get(reverse("cases:detail", args=[case_file.pk])).content.decode()
    )

    response = signed_in(legal).post(url, {"reason": "Police inquiry, letter of 1 May."})
    assert response.status_code == 302
    case_file.refresh_from_db()
    assert case_file.legal_hold and case_file.legal_hold_by == legal
    assert case_file.legal_hold_reason == "Police inquiry, letter of 1 May."
    page = signed_in(manager, language="en").get(reverse("cases:detail", args=[case_file.pk]))
    assert "Under a legal hold" in page.content.decode()
    assert "Police inquiry, letter of 1 May." in page.content.decode()

    signed_in(legal).post(url, {"reason": "Inquiry closed."})
    case_file.refresh_from_db()
    assert not case_file.legal_hold
    kinds = list(case_file.timeline.values_list("kind", flat=True))
    assert EventKind.LEGAL_HOLD_SET in kinds and EventKind.LEGAL_HOLD_RELEASED in kinds


def test_a_hold_without_a_reason_is_refused_with_a_message(closed_case, legal):
    url = reverse("cases:legal_hold", args=[closed_case.case_file.pk])
    response = signed_in(legal, language="en").post(url, {"reason": " "}, follow=True)
    assert "Say why the case file is held." in response.content.decode()
    closed_case.case_file.refresh_from_db()
    assert not closed_case.case_file.legal_hold


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_anonymise_each_case_file_once(
    closed_case, staff_osaka, supervisor_osaka
):
    """Two beat runs overlapping (two workers, a retried task): SKIP LOCKED shares the case
    files out, and none is anonymised, logged or put on the timeline twice."""
    from tests.helpers import in_threads

    second = file_report(staff_osaka, candidate_id_entered="RET0002", candidate_name="佐藤 花子")
    case_file_set_status(
        case_file=second.case_file,
        by=supervisor_osaka,
        status="closed",
        expected_revision=second.case_file.revision,
        note="Resolved.",
    )
    ours = [closed_case.case_file.pk, second.case_file.pk]
    now = closed_case.due_at + timedelta(days=1)
    results = in_threads(2, lambda _index: retention_apply(now=now, batch_size=1))
    assert not [result for result in results if isinstance(result, Exception)], results
    anonymised = RetentionAction.objects.filter(
        case_file__in=ours, kind=RetentionActionKind.CANDIDATE_ANONYMISED
    )
    assert anonymised.count() == 2
    removed = TimelineEvent.objects.filter(case_file__in=ours, kind=EventKind.PERSONAL_DATA_REMOVED)
    assert removed.count() == 2
    assert set(Candidate.objects.filter(case_file__in=ours).values_list("name", flat=True)) == {""}
    assert not closed_case.path.exists()  # the file went once its transaction committed

"""The report form, "My reports" and the report page, as a reporter uses them."""

import hashlib
import html
import re
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from incidents.models import Attachment, IncidentReport
from policy.models import Category
from tests.helpers import client_for, file_report
from tests.samples import jpeg_bytes, m4a_bytes, png_bytes

TOKEN = "6f1c2a44-5d0e-4b43-9a1e-3f2b9f0e7a10"


def posted() -> IncidentReport:
    """The report that the form posted with ``TOKEN`` created."""
    return IncidentReport.objects.get(form_token=TOKEN)


def form_data(**overrides) -> dict:
    """A complete report as the form posts it."""
    occurred = timezone.localtime() - timedelta(minutes=50)
    data = {
        "form_token": TOKEN,
        "center": "",
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        "channel": "in_person_checkin",
        "location": "受付",
        "candidate_id_entered": "ｓｒ－１２３４５６",
        "demand": "受験させろ",
        "demand_legitimacy": "no",
        "narrative": "受付で40分間、大声で暴言を繰り返した。",
        "categories": ["verbal_abuse", "unauthorized_recording"],
        "duration_minutes": "40",
        "action": "submit",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def tokyo_center(staff_tokyo):
    return staff_tokyo.memberships.get().center


def post_report(client, center, **overrides):
    return client.post("/incidents/new/", form_data(center=center.pk, **overrides))


# --- Filing -------------------------------------------------------------------------------


def test_staff_submit_a_report_and_get_a_reference_with_what_happens_next(
    staff_tokyo, tokyo_center
):
    client = client_for(staff_tokyo, language="en")
    response = post_report(client, tokyo_center, support_requested="on")
    report = posted()
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{report.reference}/submitted/"
    page = client.get(response["Location"]).content.decode()
    assert report.reference in page and "What happens next" in page
    assert "the staff-care contact will get in touch" in page
    assert report.candidate.candidate_id == "SR123456"  # full-width typed, normalised
    assert report.category_codes == ["verbal_abuse", "unauthorized_recording"]
    assert report.severity == "high"


@pytest.mark.parametrize(
    ("center", "message"),
    [
        ("osaka", "Select a valid choice"),
        ("unknown", "Select a valid choice"),
        ("a\x00b", "Null characters are not allowed"),
    ],
)
def test_a_center_she_does_not_report_for_is_refused_and_nothing_typed_is_lost(
    staff_tokyo, staff_osaka, center, message
):
    posted_center = {
        "osaka": str(staff_osaka.memberships.get().center.pk),
        "unknown": "999999",
        "a\x00b": "a\x00b",
    }[center]
    client = client_for(staff_tokyo, language="en")

    response = client.post("/incidents/new/", form_data(center=posted_center))

    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    assert message in page
    assert "受付で40分間、大声で暴言を繰り返した。" in page
    assert not IncidentReport.objects.filter(form_token=TOKEN).exists()


def test_a_re_posted_submit_creates_one_report(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo)
    first = post_report(client, tokyo_center)
    second = post_report(client, tokyo_center)
    assert first["Location"] == second["Location"]
    assert IncidentReport.objects.filter(reporter=staff_tokyo, reference__isnull=False).count() == (
        IncidentReport.objects.filter(reporter=staff_tokyo, reference__isnull=False).count()
    )
    assert (
        IncidentReport.objects.filter(form_token="6f1c2a44-5d0e-4b43-9a1e-3f2b9f0e7a10").count()
        == 1
    )


def test_a_draft_is_saved_finished_later_and_submitted(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo, language="en")
    response = post_report(client, tokyo_center, action="save", narrative="Half written")
    draft = posted()
    assert response["Location"] == f"/incidents/drafts/{draft.public_id}/"
    page = client.get(response["Location"]).content.decode()
    assert "Half written" in page and "Your draft is saved." in page
    response = client.post(
        f"/incidents/drafts/{draft.public_id}/",
        form_data(center=tokyo_center.pk, narrative="Finished at home."),
    )
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.narrative == "Finished at home."


def test_a_draft_can_be_withdrawn(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo, language="en")
    post_report(client, tokyo_center, action="save")
    draft = posted()
    response = client.post(f"/incidents/drafts/{draft.public_id}/withdraw/", follow=True)
    assert "The draft was withdrawn." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "withdrawn"
    assert client.get(f"/incidents/drafts/{draft.public_id}/").status_code == 404


def test_back_after_submitting_shows_the_report_the_draft_became(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo, language="en")
    post_report(client, tokyo_center, action="save", narrative="Half written")
    draft = posted()
    client.post(f"/incidents/drafts/{draft.public_id}/", form_data(center=tokyo_center.pk))
    draft.refresh_from_db()
    response = client.get(f"/incidents/drafts/{draft.public_id}/")  # the browser's Back
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{draft.reference}/"


def test_an_empty_form_makes_no_ghost_draft(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo, language="en")
    before = IncidentReport.objects.filter(reporter=staff_tokyo).count()
    for action in ("save", "submit"):
        response = client.post(
            "/incidents/new/",
            {
                "form_token": str(uuid.uuid4()),
                "center": tokyo_center.pk,
                "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "action": action,
            },
        )
        assert response.status_code == 422
        assert "Nothing was saved yet: write what happened first." in response.content.decode()
    assert IncidentReport.objects.filter(reporter=staff_tokyo).count() == before


def test_my_drafts_are_told_apart_by_their_first_words_and_when_they_were_saved(
    staff_tokyo, tokyo_center
):
    client = client_for(staff_tokyo, language="en")
    post_report(client, tokyo_center, action="save", narrative="Shouted at the desk about a retest")
    page = client.get("/incidents/mine/?status=draft").content.decode()
    assert "Shouted at the desk about a retest" in page and "Saved " in page


# --- Validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "future", "missing", "choose"),
    [
        (
            "en",
            "The time of the incident cannot be in the future.",
            "Describe what happened.",
            "Choose at least one behaviour",
        ),
        (
            "ja",
            "発生日時を未来にすることはできません。",
            "何が起きたかを記入してください。",
            "行為を1つ以上選んでください",
        ),
    ],
)
def test_problems_are_explained_in_the_users_language_and_nothing_typed_is_lost(
    staff_tokyo, tokyo_center, language, future, missing, choose
):
    client = client_for(staff_tokyo, language=language)
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = post_report(client, tokyo_center, occurred_at=tomorrow, exact_words="覚えておけ")
    page = response.content.decode()
    assert response.status_code == 422
    assert future in page
    assert "覚えておけ" in page and "受付で40分間" in page  # what was typed is still there
    assert not IncidentReport.objects.filter(form_token=TOKEN).exists()

    response = post_report(
        client, tokyo_center, narrative="", categories=[], exact_words="覚えておけ"
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert missing in page and choose in page
    assert "覚えておけ" in page
    # The draft keeps what was typed, so closing the tab now loses nothing.
    draft = posted()
    assert (draft.status, draft.exact_words) == ("draft", "覚えておけ")


def test_a_malformed_candidate_id_is_refused_with_a_clear_message(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo, language="en")
    response = post_report(client, tokyo_center, candidate_id_entered="SR-12/34")
    assert response.status_code == 422
    assert "A candidate ID is 4 to 20 letters and digits" in response.content.decode()


def test_a_raised_severity_without_a_reason_is_refused(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo, language="en")
    response = post_report(client, tokyo_center, severity="critical")
    assert "Say why you raised the severity." in response.content.decode()
    response = post_report(client, tokyo_center, severity="critical", severity_reason="A threat.")
    assert response.status_code == 302
    assert posted().severity == "critical"


# --- The blank form's parts drawn once (fragment_key) ------------------------------------------


def test_a_behaviour_an_administrator_renamed_shows_on_the_next_blank_form(staff_tokyo):
    client = client_for(staff_tokyo, language="en")
    seeded = "Threats, insults or abusive language"
    assert seeded in client.get("/incidents/new/").content.decode()  # drawn, and kept
    category = Category.objects.get(code="verbal_abuse")
    category.name_en = "Threats or insults"
    category.save(update_fields=["name_en"])

    page = client.get("/incidents/new/").content.decode()

    assert "Threats or insults" in page and seeded not in page


def test_the_blank_form_is_drawn_in_each_readers_language(staff_tokyo):
    japanese = client_for(staff_tokyo, language="ja").get("/incidents/new/").content.decode()
    english = client_for(staff_tokyo, language="en").get("/incidents/new/").content.decode()

    assert "何が起きたか" in japanese and "What happened" not in japanese
    assert "What happened" in english and "何が起きたか" not in english


def test_a_form_that_came_back_shows_its_own_values_not_the_blank_forms(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo, language="en")
    client.get("/incidents/new/")  # the blank form's parts are drawn and kept

    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = post_report(
        client, tokyo_center, occurred_at=tomorrow, location="第2試験室", repetitions="abc"
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert not IncidentReport.objects.filter(form_token=TOKEN).exists()  # no draft either
    assert 'value="第2試験室"' in page and 'value="abc"' in page
    assert re.search(r'value="verbal_abuse"[^>]*checked', page)
    assert "Enter a whole number." in page


# --- Evidence ---------------------------------------------------------------------------------


def test_evidence_is_stored_privately_with_its_digest_and_downloaded_safely(
    staff_tokyo, tokyo_center
):
    client = client_for(staff_tokyo, language="en")
    photo = SimpleUploadedFile("受付の写真.jpg", jpeg_bytes(), content_type="image/jpeg")
    audio = SimpleUploadedFile("recording.m4a", m4a_bytes(), content_type="audio/mp4")
    response = post_report(client, tokyo_center, evidence=[photo, audio])
    report = posted()
    assert response.status_code == 302
    stored = {a.original_name: a for a in report.attachments.all()}
    assert set(stored) == {"受付の写真.jpg", "recording.m4a"}
    attachment = stored["受付の写真.jpg"]
    assert attachment.sha256 == hashlib.sha256(jpeg_bytes()).hexdigest()
    assert attachment.file.name.startswith("evidence/") and "受付" not in attachment.file.name
    page = client.get(f"/incidents/{report.reference}/").content.decode()
    assert attachment.sha256 in page

    download = client.get(f"/incidents/evidence/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == jpeg_bytes()
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "image/jpeg"
    assert download["Content-Disposition"].startswith("attachment;")


def test_a_rejected_file_is_explained_and_the_rest_is_kept(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo, language="en")
    script = SimpleUploadedFile("photo.png", b"#!/bin/sh\nrm -rf /\n", content_type="image/png")
    good = SimpleUploadedFile("badge.png", png_bytes(), content_type="image/png")
    response = post_report(client, tokyo_center, evidence=[script, good], exact_words="覚えておけ")
    page = response.content.decode()
    assert response.status_code == 422
    assert "photo.png" in page and "Its content was checked, not its name." in page
    assert "覚えておけ" in page  # the form is still filled in
    draft = posted()
    assert draft.status == "draft"
    assert [a.original_name for a in draft.attachments.all()] == ["badge.png"]


@override_settings(EVIDENCE_MAX_MB=1)
def test_an_oversize_file_is_refused(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo, language="en")
    big = SimpleUploadedFile(
        "big.png", png_bytes() + b"\0" * (1024 * 1024), content_type="image/png"
    )
    page = post_report(client, tokyo_center, evidence=[big]).content.decode()
    assert "is larger than 1 MB" in page
    assert not Attachment.objects.exists()


@override_settings(EVIDENCE_MAX_FILES=3)
def test_more_files_than_allowed_are_refused_beyond_the_limit(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo, language="en")
    files = [
        SimpleUploadedFile(f"p{i}.png", png_bytes(), content_type="image/png") for i in range(5)
    ]
    page = post_report(client, tokyo_center, evidence=files).content.decode()
    assert "A report takes at most 3 files." in page
    assert Attachment.objects.count() == 3


def test_a_path_in_a_file_name_never_reaches_the_disk(staff_tokyo, tokyo_center, settings):
    client = client_for(staff_tokyo)
    sneaky = SimpleUploadedFile("../../../etc/cron.d/x.png", png_bytes(), content_type="image/png")
    post_report(client, tokyo_center, evidence=[sneaky])
    attachment = Attachment.objects.get()
    assert ".." not in attachment.file.name and "cron" not in attachment.file.name
    assert attachment.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))


def test_names_with_nul_or_right_to_left_override_are_refused(staff_tokyo):
    from incidents.services import report_attach_evidence

    draft = file_report(staff_tokyo, submit=False)
    files = [
        SimpleUploadedFile("invoice\u202egnp.exe", png_bytes()),
        SimpleUploadedFile("photo\x00.png", png_bytes()),
    ]
    stored, rejected = report_attach_evidence(report=draft, files=files, by=staff_tokyo)
    assert stored == [] and len(rejected) == 2


def test_evidence_can_be_removed_from_a_draft_and_leaves_the_disk(
    staff_tokyo, tokyo_center, django_capture_on_commit_callbacks
):
    client = client_for(staff_tokyo)
    photo = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    post_report(client, tokyo_center, action="save", evidence=[photo])
    draft = posted()
    attachment = draft.attachments.get()
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/incidents/drafts/{draft.public_id}/evidence/{attachment.pk}/remove/")
    assert not draft.attachments.exists()
    assert not path.exists()


# --- My reports and the report page -----------------------------------------------------------


def test_my_reports_lists_newest_first_with_status_and_filters(staff_tokyo):
    older = file_report(staff_tokyo)
    newer = file_report(staff_tokyo)
    draft = file_report(staff_tokyo, submit=False)
    client = client_for(staff_tokyo, language="en")
    page = client.get("/incidents/mine/").content.decode()
    assert page.index(f"/incidents/drafts/{draft.public_id}/") < page.index(newer.reference)
    assert page.index(newer.reference) < page.index(older.reference)
    drafts_only = client.get("/incidents/mine/", {"status": "draft"}).content.decode()
    assert newer.reference not in drafts_only and str(draft.public_id) in drafts_only


def test_my_reports_shows_only_my_own(staff_tokyo, supervisor_tokyo):
    mine = file_report(staff_tokyo)
    theirs = file_report(supervisor_tokyo)
    page = client_for(staff_tokyo).get("/incidents/mine/").content.decode()
    assert mine.reference in page and theirs.reference not in page


def test_an_empty_list_says_so_and_offers_to_report(staff_osaka):
    page = client_for(staff_osaka, language="en").get("/incidents/mine/", {"status": "closed"})
    assert "No reports with this status." in page.content.decode()


def _queries_for_my_reports(client, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/incidents/mine/", params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_my_reports_makes_as_many_queries_for_one_row_as_for_a_full_page(
    staff_osaka, supervisor_osaka
):
    client = client_for(supervisor_osaka)
    file_report(supervisor_osaka, categories=("verbal_abuse", "excessive_demand"))
    one, _page = _queries_for_my_reports(client)
    for _ in range(25):
        file_report(supervisor_osaka, categories=("verbal_abuse", "excessive_demand"))
    full, page = _queries_for_my_reports(client)
    assert IncidentReport.objects.filter(reporter=supervisor_osaka).count() == 26
    assert page.count("data-report=") == 25
    assert one == full
    # The next page, by its cursor: the 26th report, oldest, in as many queries again.
    following = html.unescape(re.search(r'rel="next" href="\?([^"]*)"', page)[1])
    last, page = _queries_for_my_reports(client, **dict(parse_qsl(following)))
    assert page.count("data-report=") == 1 and last == one


def test_the_report_page_shows_everything_and_takes_addenda(staff_tokyo):
    report = file_report(
        staff_tokyo,
        exact_words="覚えておけ",
        witnesses="TKY-0007",
        duration_minutes=40,
        candidate_id_entered="SR998877",
    )
    client = client_for(staff_tokyo, language="en")
    page = client.get(f"/incidents/{report.reference}/").content.decode()
    for text in (
        "覚えておけ",
        "TKY-0007",
        "40 minutes",
        "SR998877",
        "Version 1",
        "Report submitted",
    ):
        assert text in page
    response = client.post(
        f"/incidents/{report.reference}/addenda/", {"text": "He returned at 15:00."}, follow=True
    )
    page = response.content.decode()
    assert "Your addendum was added" in page and "He returned at 15:00." in page
    assert "Addendum added" in page


def test_supervisors_read_a_report_but_cannot_add_an_addendum(staff_tokyo, supervisor_tokyo):
    report = file_report(staff_tokyo)
    client = client_for(supervisor_tokyo, language="en")
    assert "Add to the report" not in client.get(f"/incidents/{report.reference}/").content.decode()
    client.post(f"/incidents/{report.reference}/addenda/", {"text": "Not mine to add."})
    assert not report.addenda.exists()


def test_a_user_without_a_center_cannot_open_the_report_form(outsider):
    assert client_for(outsider).get("/incidents/new/").status_code == 403

"""Drafts as the report form keeps them while the reporter types: the autosave, the evidence
sent on its own, discarding a draft, and the error summary of a refused post."""

import json
import re
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings

from incidents.models import IncidentReport
from tests.helpers import client_for, file_report, report_form_data
from tests.samples import png_bytes


@pytest.fixture
def tokyo_center(staff_tokyo):
    return staff_tokyo.memberships.get().center


def autosave(client, url="/incidents/new/autosave/", **fields):
    return client.post(url, fields, HTTP_ACCEPT="application/json")


# --- Autosave ---------------------------------------------------------------------------------


def test_the_first_autosave_with_content_creates_the_draft_and_answers_the_saved_time(
    staff_tokyo, tokyo_center
):
    client = client_for(staff_tokyo, language="en")
    token = str(uuid.uuid4())
    response = autosave(
        client, form_token=token, center=tokyo_center.pk, narrative="He shouted at the desk."
    )
    assert response.status_code == 200
    answer = response.json()
    draft = IncidentReport.objects.get(form_token=token)
    assert (draft.status, draft.reporter, draft.narrative) == (
        "draft",
        staff_tokyo,
        "He shouted at the desk.",
    )
    assert answer["saved"] is True
    assert re.fullmatch(r"Saved at \d\d:\d\d", answer["saved_at"])
    assert answer["draft_url"] == f"/incidents/drafts/{draft.public_id}/"
    assert answer["autosave_url"] == f"/incidents/drafts/{draft.public_id}/autosave/"
    # The draft's own page shows what was autosaved.
    assert "He shouted at the desk." in client.get(answer["draft_url"]).content.decode()


def test_an_autosave_of_an_untouched_form_makes_no_draft(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo)
    before = IncidentReport.objects.filter(reporter=staff_tokyo).count()
    response = autosave(client, form_token=str(uuid.uuid4()), center=tokyo_center.pk)
    assert response.json() == {"saved": False}
    assert IncidentReport.objects.filter(reporter=staff_tokyo).count() == before


def test_a_second_autosave_of_the_new_form_updates_the_same_draft(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo)
    token = str(uuid.uuid4())
    autosave(client, form_token=token, center=tokyo_center.pk, narrative="First words")
    autosave(client, form_token=token, center=tokyo_center.pk, narrative="First words, more")
    assert IncidentReport.objects.get(form_token=token).narrative == "First words, more"


def test_an_autosave_of_a_draft_updates_it_and_keeps_a_bad_field_at_its_saved_value(
    staff_tokyo, tokyo_center
):
    draft = file_report(staff_tokyo, submit=False, narrative="Old text")
    client = client_for(staff_tokyo, language="en")
    response = autosave(
        client,
        f"/incidents/drafts/{draft.public_id}/autosave/",
        form_token=str(draft.form_token),
        center=tokyo_center.pk,
        narrative="New text",
        occurred_at="2999-01-01T10:00",
        categories=["verbal_abuse", "unauthorized_recording"],
    )
    assert response.status_code == 200
    assert response.json()["errors"]["occurred_at"] == [
        "The time of the incident cannot be in the future."
    ]
    before = draft.occurred_at
    draft.refresh_from_db()
    assert draft.narrative == "New text"
    assert draft.occurred_at == before
    assert draft.category_codes == ["verbal_abuse", "unauthorized_recording"]


def test_someone_elses_draft_cannot_be_autosaved_it_is_not_found(staff_tokyo, staff_osaka):
    draft = file_report(staff_tokyo, submit=False, narrative="Mine")
    response = autosave(
        client_for(staff_osaka),
        f"/incidents/drafts/{draft.public_id}/autosave/",
        form_token=str(draft.form_token),
        narrative="Overwritten",
    )
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.narrative == "Mine"


def test_the_new_form_token_of_someone_elses_draft_is_refused(staff_tokyo, staff_osaka):
    draft = file_report(staff_tokyo, submit=False, narrative="Mine")
    response = autosave(
        client_for(staff_osaka), form_token=str(draft.form_token), narrative="Overwritten"
    )
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.narrative == "Mine"


def test_a_user_without_a_center_is_refused_as_json(outsider):
    response = autosave(client_for(outsider), form_token=str(uuid.uuid4()), narrative="x")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("where", ["new", "draft"])
def test_an_ended_session_answers_json_401_with_a_sign_in_link_back_to_the_form(staff_tokyo, where):
    draft = file_report(staff_tokyo, submit=False)
    form_url = "/incidents/new/" if where == "new" else f"/incidents/drafts/{draft.public_id}/"
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # the page the form was on set the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        form_url + "autosave/",
        {"form_token": str(uuid.uuid4()), "narrative": "Typed after the session ended"},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 401
    answer = response.json()
    assert answer["error"] == "signed_out"
    assert answer["login_url"] == "/accounts/login/?next=" + form_url.replace("/", "%2F")
    assert not IncidentReport.objects.filter(narrative="Typed after the session ended").exists()


def test_an_autosave_without_the_csrf_token_is_refused(staff_tokyo, tokyo_center):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_tokyo, backend="accounts.backends.PortalBackend")
    token = str(uuid.uuid4())
    response = client.post("/incidents/new/autosave/", {"form_token": token, "narrative": "Forged"})
    assert response.status_code == 403
    assert not IncidentReport.objects.filter(form_token=token).exists()


def test_an_autosave_after_the_submission_points_to_the_report(staff_tokyo, tokyo_center):
    report = file_report(staff_tokyo)
    response = autosave(
        client_for(staff_tokyo),
        f"/incidents/drafts/{report.public_id}/autosave/",
        form_token=str(report.form_token),
        narrative="Changed after submitting",
    )
    assert response.status_code == 409
    assert response.json()["url"] == f"/incidents/{report.reference}/"
    report.refresh_from_db()
    assert report.narrative != "Changed after submitting"


# --- Evidence on its own, and its removal -----------------------------------------------------


def test_evidence_sent_on_its_own_is_stored_or_refused_with_its_reason(staff_tokyo, evidence_root):
    draft = file_report(staff_tokyo, submit=False)
    client = client_for(staff_tokyo, language="en")
    good = SimpleUploadedFile("badge.png", png_bytes(), content_type="image/png")
    bad = SimpleUploadedFile("photo.png", b"#!/bin/sh\n", content_type="image/png")
    response = client.post(
        f"/incidents/drafts/{draft.public_id}/evidence/", {"evidence": [good, bad]}
    )
    answer = response.json()
    assert [f["name"] for f in answer["stored"]] == ["badge.png"]
    assert answer["rejected"][0]["name"] == "photo.png"
    assert "Its content was checked" in answer["rejected"][0]["message"]
    assert [a.original_name for a in draft.attachments.all()] == ["badge.png"]


@override_settings(EVIDENCE_MAX_MB=1)
def test_the_too_large_message_suits_any_file_and_names_it(staff_tokyo, evidence_root):
    draft = file_report(staff_tokyo, submit=False)
    big = SimpleUploadedFile("名札.png", png_bytes() + b"\0" * (1024 * 1024))
    response = client_for(staff_tokyo, language="en").post(
        f"/incidents/drafts/{draft.public_id}/evidence/", {"evidence": [big]}
    )
    assert response.status_code == 422
    message = response.json()["rejected"][0]["message"]
    assert message == (
        "“名札.png” is larger than 1 MB. Attach a smaller copy, or give the file to your "
        "supervisor another way."
    )
    assert "recording" not in message


def test_removing_a_file_saves_what_was_typed_since_the_last_save(
    staff_tokyo, tokyo_center, evidence_root, django_capture_on_commit_callbacks
):
    client = client_for(staff_tokyo, language="en")
    token = str(uuid.uuid4())
    photo = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    client.post(
        "/incidents/new/",
        report_form_data(tokyo_center, form_token=token, action="save", evidence=[photo]),
    )
    draft = IncidentReport.objects.get(form_token=token)
    attachment = draft.attachments.get()
    typed = report_form_data(
        tokyo_center, form_token=token, narrative="Typed just before removing the photo"
    )
    typed.pop("action")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/incidents/drafts/{draft.public_id}/evidence/{attachment.pk}/remove/", typed
        )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.narrative == "Typed just before removing the photo"
    assert not draft.attachments.exists()
    assert not any(p.is_file() for p in Path(evidence_root).rglob("*"))


# --- Discarding -------------------------------------------------------------------------------


def test_a_draft_is_discarded_after_a_confirmation_with_its_files(
    staff_tokyo, evidence_root, django_capture_on_commit_callbacks
):
    draft = file_report(staff_tokyo, submit=False, narrative="Never to be sent")
    client = client_for(staff_tokyo, language="en")
    client.post(
        f"/incidents/drafts/{draft.public_id}/evidence/",
        {"evidence": [SimpleUploadedFile("a.png", png_bytes())]},
    )
    assert any(p.is_file() for p in Path(evidence_root).rglob("*"))
    url = f"/incidents/drafts/{draft.public_id}/discard/"

    confirm = client.get(url).content.decode()  # the confirmation works without a script
    assert "Discard this draft?" in confirm and "Never to be sent" in confirm
    assert f'action="{url}"' in confirm

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "The draft was discarded, with its evidence files." in response.content.decode()
    assert not any(p.is_file() for p in Path(evidence_root).rglob("*"))
    assert client.get(f"/incidents/drafts/{draft.public_id}/").status_code == 404
    mine = client.get("/incidents/mine/").content.decode()
    assert "Never to be sent" not in mine


def test_my_reports_offers_to_discard_each_draft(staff_tokyo):
    draft = file_report(staff_tokyo, submit=False, narrative="A draft to throw away")
    page = client_for(staff_tokyo, language="en").get("/incidents/mine/").content.decode()
    assert f'href="/incidents/drafts/{draft.public_id}/discard/"' in page


def test_only_the_reporter_can_discard_her_draft(staff_tokyo, staff_osaka, supervisor_tokyo):
    draft = file_report(staff_tokyo, submit=False)
    for someone in (staff_osaka, supervisor_tokyo):
        client = client_for(someone)
        assert client.get(f"/incidents/drafts/{draft.public_id}/discard/").status_code == 404
        assert client.post(f"/incidents/drafts/{draft.public_id}/discard/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_submitted_report_cannot_be_discarded(staff_tokyo):
    report = file_report(staff_tokyo)
    client = client_for(staff_tokyo)
    # Not a draft any more: the discard page does not exist for it.
    assert client.post(f"/incidents/drafts/{report.public_id}/discard/").status_code == 404
    report.refresh_from_db()
    assert report.status == "submitted"


# --- The error summary ------------------------------------------------------------------------


def test_a_refused_submission_lists_each_problem_with_a_link_to_its_field(
    staff_tokyo, tokyo_center
):
    client = client_for(staff_tokyo, language="en")
    response = client.post(
        "/incidents/new/",
        report_form_data(
            tokyo_center, narrative="Only this", channel=None, categories=None, location=""
        ),
    )
    assert response.status_code == 422
    page = response.content.decode()
    start = page.index("data-error-summary")
    summary = page[start : page.index("</ul>", start)]
    assert "2 problems to fix" in summary
    assert 'href="#id_channel_0"' in summary
    assert 'href="#id_categories_0"' in summary
    assert 'id="id_channel_0"' in page and 'id="id_categories_0"' in page
    assert "autofocus" in page[page.index('class="alert alert-danger error-summary"') :][:300]


def test_a_field_error_is_tied_to_its_input(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo, language="en")
    page = client.post(
        "/incidents/new/",
        report_form_data(tokyo_center, occurred_at="2999-01-01T10:00"),
    ).content.decode()
    field = re.search(r"<input[^>]*name=\"occurred_at\"[^>]*>", page).group(0)
    assert "is-invalid" in field
    assert 'aria-describedby="error_1_id_occurred_at' in field
    assert 'id="error_1_id_occurred_at"' in page
    assert 'href="#id_occurred_at"' in page


def test_required_fields_are_marked_and_explained(staff_tokyo):
    page = client_for(staff_tokyo, language="en").get("/incidents/new/").content.decode()
    assert "Fields marked with * are needed before you submit." in page
    narrative = re.search(r"<textarea[^>]*name=\"narrative\"[^>]*>", page).group(0)
    assert "required" in narrative and 'aria-required="true"' in narrative
    location = re.search(r"<input[^>]*name=\"location\"[^>]*>", page).group(0)
    assert "required" not in location


def test_the_page_gives_its_script_the_servers_limits(staff_tokyo, settings):
    settings.EVIDENCE_MAX_MB = 7
    settings.EVIDENCE_MAX_FILES = 4
    page = client_for(staff_tokyo, language="en").get("/incidents/new/").content.decode()
    assert 'data-max-mb="7"' in page and 'data-max-files="4"' in page
    assert f'data-text-max="{settings.REPORT_TEXT_MAX_CHARS}"' in page
    script = page[page.index('id="report-form-messages"') :]
    messages = json.loads(script[script.index(">") + 1 : script.index("</script>")])
    assert "Attach a smaller copy" in messages["file_too_large"]


def test_a_refused_decision_lands_on_its_form_with_the_summary(staff_tokyo, supervisor_tokyo):
    case_file = file_report(staff_tokyo, candidate_id_entered="SR30000002").candidate.case_file
    client = client_for(supervisor_tokyo, language="en")
    response = client.post(
        f"/cases/{case_file.pk}/decisions/",
        {"revision": case_file.revision, "outcome": "caution"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    form = page[page.index('id="decision-form"') :]
    summary = form[form.index('id="decision-errors"') - 200 : form.index("</ul>")]
    # The summary is inside the decision form and takes the focus, so the browser scrolls
    # to it instead of leaving the errors far below the top of the page.
    assert "autofocus" in summary and "2 problems to fix" in summary
    assert 'href="#id_demand_legitimacy_0"' in summary and 'href="#id_manner_0"' in summary
    assert page.count("autofocus") == 1


def test_a_refused_addendum_comes_back_with_the_summary_on_its_form(staff_tokyo):
    report = file_report(staff_tokyo)
    client = client_for(staff_tokyo, language="en")
    response = client.post(f"/incidents/{report.reference}/addenda/", {"text": ""})
    assert response.status_code == 422
    page = response.content.decode()
    summary = page[page.index('id="addendum-errors"') - 200 :]
    summary = summary[: summary.index("</ul>")]
    assert "autofocus" in summary and "1 problem to fix" in summary
    assert 'href="#id_text"' in summary

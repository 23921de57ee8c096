"""No input breaks a reporter's page (issue 8): long text, impossible dates, odd query
values, two answers at once and re-posted forms end in a clear message, never a 500, and
nothing typed is lost."""

import html
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import override_settings

from incidents.models import EventKind, IncidentReport, InformationRequest, TimelineEvent
from incidents.search import search_reports
from incidents.services import report_add_addendum, report_save_draft, report_withdraw_draft
from incidents.services.triage import information_request
from policy.models import Category
from tests.helpers import child_env, client_for, file_report, in_threads, report_form_data

JAPANESE = "受付で40分間、大声で暴言を繰り返した。「殴るぞ」と言われ、名札の名前を聞かれた。"
LATIN = 'He SHOUTED: "Give me your NAME!"\tThen  he left the Check-in desk. Ça déjà-vu ß İ'


def form_data(center, **overrides) -> dict:
    return report_form_data(center, **overrides)


@pytest.fixture
def tokyo_center(staff_tokyo):
    return staff_tokyo.memberships.get().center


def shown(response) -> str:
    return html.unescape(response.content.decode())


# --- Search tokens --------------------------------------------------------------------------

# The first, quadratic version of hp_search_tokens (migration 0002), to compare against.
QUADRATIC_TOKENS_SQL = r"""
CREATE FUNCTION pg_temp.quadratic_tokens(narrative text, demand text, exact_words text)
RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    WITH source AS (
        SELECT lower(coalesce(narrative, '') || ' ' || coalesce(demand, '') || ' '
                     || coalesce(exact_words, '')) AS t
    ),
    tokens AS (
        SELECT substr(t, i, 1) AS token FROM source, generate_series(1, length(t)) AS i
        UNION
        SELECT substr(t, i, 2) FROM source, generate_series(1, length(t) - 1) AS i
    )
    SELECT coalesce(array_agg(token ORDER BY token), '{}')
    FROM tokens WHERE token !~ '\s'
$$;
"""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "texts",
    [
        (JAPANESE, "返金しろ", "ふざけるな"),
        (LATIN, "A refund", None),
        ("ｆｕｌｌ　ｗｉｄｔｈ　全角", "²³ ① 😀👍🏽", "ΣΑΣ σας\r\n"),
        ("a", "", ""),
        (None, None, None),
    ],
)
def test_the_search_tokens_are_the_first_versions_and_the_latin_trigrams(texts):
    with connection.cursor() as cursor:
        cursor.execute(QUADRATIC_TOKENS_SQL)
        cursor.execute(
            "SELECT hp_search_tokens(%s, %s, %s), pg_temp.quadratic_tokens(%s, %s, %s)",
            [*texts, *texts],
        )
        linear, quadratic = cursor.fetchone()
    text = " ".join(part or "" for part in texts).lower()
    trigrams = {text[i : i + 3] for i in range(len(text) - 2)}
    latin = {trigram for trigram in trigrams if re.fullmatch(r"[a-z0-9]{3}", trigram)}
    assert linear == sorted({*quadratic, *latin})
    assert bool(latin) == (texts[0] == LATIN)


@pytest.mark.django_db
def test_the_search_tokens_are_every_character_pair_and_latin_trigram_without_whitespace():
    with connection.cursor() as cursor:
        cursor.execute("SELECT hp_search_tokens(%s, %s, %s)", ["暴言 ABC", "", "d"])
        (tokens,) = cursor.fetchone()
    expected = ["暴", "言", "暴言", "a", "b", "c", "ab", "bc", "abc", "d"]
    assert sorted(tokens) == sorted(expected)


def test_a_long_narrative_is_saved_and_found_by_its_last_words(staff_tokyo):
    narrative = (JAPANESE * 1000)[:29_990] + "最後に暴言"
    assert len(narrative) == 29_995
    report = file_report(staff_tokyo, narrative=narrative)
    found = search_reports(IncidentReport.objects.all(), "最後に暴言")
    assert list(found) == [report]


# --- Length limits --------------------------------------------------------------------------


def test_an_over_long_narrative_comes_back_with_its_text_and_a_clear_message(
    staff_tokyo, tokyo_center
):
    narrative = "長" * 50_001
    client = client_for(staff_tokyo, language="en")
    before = IncidentReport.objects.count()
    response = client.post("/incidents/new/", form_data(tokyo_center, narrative=narrative))
    assert response.status_code == 422
    page = shown(response)
    assert "This text is too long: at most 50000 characters, and it has 50001." in page
    assert narrative in page
    assert IncidentReport.objects.count() == before


@override_settings(REPORT_TEXT_MAX_CHARS=100)
def test_the_limit_is_a_setting_and_the_browser_is_told_it(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo, language="en")
    assert 'maxlength="100"' in client.get("/incidents/new/").content.decode()
    response = client.post("/incidents/new/", form_data(tokyo_center, witnesses="w" * 101))
    assert response.status_code == 422
    assert "at most 100 characters, and it has 101" in shown(response)


def test_a_megabyte_pasted_into_the_narrative_comes_back_at_once_with_its_text(
    staff_tokyo, tokyo_center
):
    narrative = "a" * 1_000_000
    client = client_for(staff_tokyo, language="en")
    response = client.post("/incidents/new/", form_data(tokyo_center, narrative=narrative))
    assert response.status_code == 422
    assert narrative in shown(response)


@pytest.mark.parametrize(
    ("value", "complaint"), [("lots", "not a whole number"), ("50001", "limit")]
)
def test_a_bad_text_limit_in_the_environment_stops_start_up(value, complaint):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=child_env(REPORT_TEXT_MAX_CHARS=value),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "REPORT_TEXT_MAX_CHARS" in result.stderr
    assert complaint in result.stderr


def test_the_database_refuses_over_long_text(staff_tokyo):
    report = file_report(staff_tokyo, submit=False)
    report.staff_response = "x" * 50_001
    with pytest.raises(IntegrityError), transaction.atomic():
        report.save()


def test_a_text_with_a_nul_byte_is_refused_with_a_message(staff_tokyo, tokyo_center):
    client = client_for(staff_tokyo, language="en")
    response = client.post("/incidents/new/", form_data(tokyo_center, narrative="bad\x00byte"))
    assert response.status_code == 422
    assert "Null characters are not allowed." in shown(response)
    response = client.post("/incidents/new/", form_data(tokyo_center, categories=["verbal\x00"]))
    assert response.status_code == 422


# --- When it happened -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("occurred_at", "message"),
    [
        ("0001-01-01T00:00", "cannot be before the year 2000"),
        ("1999-12-31T23:59", "cannot be before the year 2000"),
        ("9999-12-31T23:59", "cannot be in the future"),
    ],
)
def test_an_impossible_time_is_refused_and_nothing_is_stored(
    staff_tokyo, tokyo_center, occurred_at, message
):
    client = client_for(staff_tokyo, language="en")
    before = IncidentReport.objects.count()
    response = client.post("/incidents/new/", form_data(tokyo_center, occurred_at=occurred_at))
    assert response.status_code == 422
    assert message in shown(response)
    assert IncidentReport.objects.count() == before
    assert client.get("/incidents/mine/").status_code == 200


def test_the_database_refuses_a_time_before_2000(staff_tokyo):
    report = file_report(staff_tokyo, submit=False)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incidents_incidentreport SET occurred_at = %s WHERE id = %s",
            ["0001-01-01T00:00:00Z", report.pk],
        )


@pytest.mark.parametrize("stored", ["2000-01-01T00:00:00Z", "2099-12-31T23:59:59Z"])
def test_every_page_of_a_report_survives_the_extreme_times_the_database_allows(
    staff_tokyo, supervisor_tokyo, stored
):
    report = file_report(staff_tokyo, candidate_id_entered="SR31415926")
    draft = file_report(staff_tokyo, submit=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incidents_incidentreport SET occurred_at = %s WHERE id IN (%s, %s)",
            [stored, report.pk, draft.pk],
        )
    reporter = client_for(staff_tokyo)
    for url in (
        "/incidents/mine/",
        f"/incidents/{report.reference}/",
        f"/incidents/{report.reference}/submitted/",
        f"/incidents/drafts/{draft.public_id}/",
    ):
        assert reporter.get(url).status_code == 200, url
    reviewer = client_for(supervisor_tokyo)
    case_file = report.candidate.case_file
    for url in ("/review/", f"/incidents/{report.reference}/", f"/cases/{case_file.pk}/"):
        assert reviewer.get(url).status_code == 200, url


# --- Query strings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"submitted_to": "9999-12-31"},
        {"submitted_from": "0001-01-01"},
        {"submitted_from": "²⁰²⁴-01-01"},
        {"center": "²"},
        {"q": "nul\x00"},
        {"page": "99999999999999999999999"},
    ],
)
def test_the_review_queue_shows_a_bad_filter_as_an_error_not_a_500(supervisor_tokyo, params):
    response = client_for(supervisor_tokyo).get("/review/", params)
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["²", "１", "-1", "0", "99999999999999999999999", "x", "\x00"])
def test_the_escalation_inbox_takes_any_escalation_parameter(manager, value):
    response = client_for(manager).get("/escalations/", {"escalation": value})
    assert response.status_code == 200


def test_the_escalation_an_email_links_to_is_shown_alone(staff_tokyo, manager):
    file_report(staff_tokyo, categories=("physical_attack",))
    file_report(staff_tokyo, categories=("physical_attack",))
    client = client_for(manager)
    listed = client.get("/escalations/").content.decode().count("data-card=")
    assert listed >= 2
    escalation = IncidentReport.objects.filter(reporter=staff_tokyo).last().escalations.first()
    page = client.get("/escalations/", {"escalation": escalation.pk}).content.decode()
    # Its incident's card alone, with that escalation on it.
    assert page.count("data-card=") == 1
    assert f'data-escalation="{escalation.pk}"' in page


@pytest.mark.parametrize("params", [{"from": "²", "to": "1"}, {"from": "1", "to": "9" * 30}])
def test_the_policy_comparison_takes_any_version_numbers(staff_tokyo, params):
    response = client_for(staff_tokyo, language="en").get("/policy/versions/", params)
    assert response.status_code == 200
    assert "Choose two different versions to compare." in shown(response)


def test_my_reports_ignores_an_unknown_status(staff_tokyo):
    file_report(staff_tokyo)
    response = client_for(staff_tokyo).get("/incidents/mine/", {"status": "nope\x00"})
    assert response.status_code == 200


# --- Answers to questions -------------------------------------------------------------------


def test_one_addendum_answers_every_open_question(staff_tokyo, supervisor_tokyo):
    report = file_report(staff_tokyo)
    first = information_request(report=report, by=supervisor_tokyo, question="Which desk?")
    second = information_request(report=report, by=supervisor_tokyo, question="Who saw it?")
    response = client_for(staff_tokyo).post(
        f"/incidents/{report.reference}/addenda/", {"text": "Desk 2; TKY-0050 saw it."}
    )
    assert response.status_code == 302
    addendum = report.addenda.get()
    for question in (first, second):
        question.refresh_from_db()
        assert question.answer == addendum
        assert question.answered_at is not None
    answered = TimelineEvent.objects.filter(report=report, kind=EventKind.INFORMATION_ANSWERED)
    assert answered.count() == 1
    assert client_for(staff_tokyo).get(f"/incidents/{report.reference}/").status_code == 200


def test_a_later_addendum_answers_only_the_questions_asked_since(staff_tokyo, supervisor_tokyo):
    report = file_report(staff_tokyo)
    first = information_request(report=report, by=supervisor_tokyo, question="Which desk?")
    answer, _rejected = report_add_addendum(report=report, by=staff_tokyo, text="Desk 2.")
    second = information_request(report=report, by=supervisor_tokyo, question="Who saw it?")
    later, _rejected = report_add_addendum(report=report, by=staff_tokyo, text="TKY-0050.")
    assert InformationRequest.objects.get(pk=first.pk).answer == answer
    assert InformationRequest.objects.get(pk=second.pk).answer == later


# --- Re-posted forms ------------------------------------------------------------------------


def test_a_re_posted_form_of_a_withdrawn_draft_comes_back_with_a_new_token(
    staff_tokyo, tokyo_center
):
    client = client_for(staff_tokyo, language="en")
    data = form_data(tokyo_center, action="save", narrative="何度も同じ要求を繰り返した。")
    assert client.post("/incidents/new/", data).status_code == 302
    report_withdraw_draft(
        report=IncidentReport.objects.get(form_token=data["form_token"]), by=staff_tokyo
    )
    response = client.post("/incidents/new/", data)
    assert response.status_code == 409
    page = shown(response)
    assert "This form was already used. What you typed is below: save it again." in page
    assert "何度も同じ要求を繰り返した。" in page
    assert data["form_token"] not in page
    fresh_token = response.context["form"]["form_token"].value()
    assert (
        client.post(
            "/incidents/new/", {**data, "form_token": fresh_token, "action": "submit"}
        ).status_code
        == 302
    )
    assert IncidentReport.objects.get(form_token=fresh_token).status == "submitted"


def test_another_users_form_token_is_refused_without_saying_whose(
    staff_tokyo, supervisor_tokyo, tokyo_center
):
    theirs = file_report(supervisor_tokyo, submit=False, narrative="秘密")
    client = client_for(staff_tokyo, language="en")
    data = form_data(tokyo_center, form_token=str(theirs.form_token), narrative="私の報告")
    response = client.post("/incidents/new/", data)
    assert response.status_code == 409
    page = shown(response)
    assert "This form was already used." in page
    assert "私の報告" in page
    assert "秘密" not in page
    theirs.refresh_from_db()
    assert theirs.narrative == "秘密"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["save", "submit"])
def test_two_posts_of_one_new_form_at_once_end_in_the_same_report(
    demo, staff_tokyo, tokyo_center, action
):
    data = form_data(tokyo_center, action=action)
    clients = []
    for _ in range(2):
        client = Client(raise_request_exception=False)
        client.force_login(staff_tokyo, backend="accounts.backends.PortalBackend")
        clients.append(client)
    responses = in_threads(2, lambda i: clients[i].post("/incidents/new/", data))
    assert [response.status_code for response in responses] == [302, 302], responses
    assert responses[0]["Location"] == responses[1]["Location"]
    report = IncidentReport.objects.get(form_token=data["form_token"])
    assert report.status == ("draft" if action == "save" else "submitted")
    assert (
        IncidentReport.objects.filter(reporter=staff_tokyo, narrative=data["narrative"]).count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_one_new_form_at_once_make_one_draft(demo, staff_tokyo, tokyo_center):
    token = uuid.uuid4()
    values = {"center": tokyo_center, "narrative": "二つのタブから同時に保存した。"}
    verbal_abuse = list(Category.objects.filter(code="verbal_abuse"))
    results = in_threads(
        4,
        lambda i: (
            report_save_draft(
                reporter=staff_tokyo, form_token=token, values=values, categories=verbal_abuse
            ).pk
        ),
    )
    assert len(set(results)) == 1, results
    assert IncidentReport.objects.filter(form_token=token).count() == 1


# --- The reference number -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_record_without_a_reference_number_is_refused_at_commit(demo, staff_tokyo):
    report = file_report(staff_tokyo)
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentReport.objects.filter(pk=report.pk).update(reference=None)
    assert IncidentReport.objects.get(pk=report.pk).reference == report.reference


def test_a_submitted_report_has_its_reference_and_escalated(staff_tokyo):
    report = file_report(staff_tokyo, categories=("physical_attack",))
    stored = IncidentReport.objects.get(pk=report.pk)
    assert stored.reference == report.reference
    assert stored.escalations.exists()


def test_a_reports_checks_run_in_python_for_every_field_not_left_out(demo):
    # The report form leaves out the fields it checks itself; everything else that calls
    # full_clean() (the admin, a shell) still hears of each violated constraint.
    report = IncidentReport(occurred_at=datetime(1990, 1, 1, tzinfo=UTC), reference="CH-99")

    with pytest.raises(ValidationError) as raised:
        report.validate_constraints()
    assert "report_occurred_at_plausible" in str(raised.value)
    assert "report_reference_format" in str(raised.value)

    with pytest.raises(ValidationError) as raised:
        report.validate_constraints(exclude={"occurred_at"})
    assert "report_occurred_at_plausible" not in str(raised.value)
    assert "report_reference_format" in str(raised.value)

    report.validate_constraints(exclude={"occurred_at", "reference"})  # nothing left to refuse

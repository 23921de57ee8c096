"""The check-in lookup at the desk: an exact candidate ID in, "no restriction" or the
restrictions in force out, and never a word of the incidents behind them."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.models import TestCenter as Center
from incidents.models import Candidate, CheckinLookup, Decision, DecisionCategory
from incidents.selectors.checkin import restrictions_for_checkin
from incidents.views.checkin import DEVICE_COOKIE
from policy.models import Category, PolicyVersion
from tests.helpers import client_for, file_report
from tests.smtp import free_port

CANDIDATE_ID = "SR20270001"
CANDIDATE_NAME = "山田 太郎"
NARRATIVE = "受付で40分間、暴言を繰り返し「担当者の名前を教えろ」と要求した。"
RATIONALE = "Second report this year; the manner was plainly abusive."
NO_RESTRICTION = "No restriction in force for this ID"
CONTACT = "Contact your supervisor before check-in"


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    """The lookup counts live in Redis and outlive a test's transaction."""
    cache.clear()


@pytest.fixture
def tokyo_candidate(staff_tokyo) -> Candidate:
    """A candidate reported in Tokyo: the report creates the candidate and the case file."""
    report = file_report(
        staff_tokyo,
        candidate_id_entered=CANDIDATE_ID,
        candidate_name=CANDIDATE_NAME,
        narrative=NARRATIVE,
    )
    return report.candidate


@pytest.fixture
def refuse_testing(supervisor_tokyo, manager):
    """A refusal of testing as the decision service leaves it once a manager approved it:
    proposed by the Tokyo supervisor, in force from today for a year at every center."""

    def refuse(candidate: Candidate, *, centers=(), **overrides) -> Decision:
        today = timezone.localdate()
        values = {
            "case_file": candidate.case_file,
            "outcome": "testing_refused",
            "state": "in_force",
            "demand_legitimacy": "no",
            "manner": "inappropriate",
            "rationale": RATIONALE,
            "policy_version": PolicyVersion.objects.get(status="published"),
            "starts_on": today,
            "ends_on": today + timedelta(days=365),
            "scope": "all_centers",
            "proposed_by": supervisor_tokyo,
            "decided_by": manager,
            "decided_at": timezone.now(),
            **overrides,
        }
        decision = Decision.objects.create(**values)
        DecisionCategory.objects.create(
            decision=decision, category=Category.objects.get(code="verbal_abuse")
        )
        decision.scope_centers.set(Center.objects.filter(code__in=centers))
        return decision

    return refuse


@pytest.fixture
def refusal(tokyo_candidate, refuse_testing) -> Decision:
    return refuse_testing(tokyo_candidate)


def look_up(user, candidate_id: str, *, language: str = "en"):
    return client_for(user, language=language).post("/checkin/", {"candidate_id": candidate_id})


def answer_of(response) -> str:
    """The answer section of the page, the part that changes with the ID looked up."""
    found = re.search(r'<section id="checkin-answer".*?</section>', response.content.decode(), re.S)
    assert found, "the page has no answer"
    return found.group(0)


def refused_until(day) -> str:
    with translation.override("en"):
        return f"Testing refused until {date_format(day, 'DATE_FORMAT')}"


# --- What the desk sees ------------------------------------------------------------------------


def test_staff_in_osaka_see_that_a_tokyo_candidate_is_refused_until_when_and_whom_to_call(
    staff_osaka, refusal
):
    response = look_up(staff_osaka, CANDIDATE_ID)
    assert response.status_code == 200
    answer = answer_of(response)
    assert refused_until(refusal.ends_on) in answer
    assert "At every test center" in answer
    assert CONTACT in answer
    assert CANDIDATE_ID in answer
    assert NO_RESTRICTION not in answer


def test_a_refusal_without_an_end_date_says_so(staff_osaka, tokyo_candidate, refuse_testing):
    refuse_testing(tokyo_candidate, ends_on=None, indefinite_reason="Repeated threats.")
    answer = answer_of(look_up(staff_osaka, CANDIDATE_ID))
    assert "Testing refused (no end date)" in answer and CONTACT in answer


def test_the_answer_reads_in_japanese_too(staff_osaka, refusal):
    response = look_up(staff_osaka, CANDIDATE_ID, language="ja")
    with translation.override("ja"):
        until = date_format(refusal.ends_on, "DATE_FORMAT")
    assert '<html lang="ja">' in response.content.decode()
    assert until in answer_of(response)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_page_tells_nothing_of_the_incidents_behind_a_refusal(
    language, staff_osaka, staff_tokyo, refusal
):
    page = look_up(staff_osaka, CANDIDATE_ID, language=language).content.decode()
    assert "Testing refused" in page or "受験" in page  # there is an answer to leak from
    category = Category.objects.get(code="verbal_abuse")
    report = refusal.case_file.candidate.reports.get()
    for secret in (
        NARRATIVE,
        "暴言",
        RATIONALE,
        category.name_ja,
        category.name_en,
        staff_tokyo.last_name,
        staff_tokyo.first_name,
        staff_tokyo.staff_code,
        refusal.proposed_by.staff_code,
        refusal.decided_by.staff_code,
        refusal.decided_by.last_name,
        CANDIDATE_NAME,
        report.reference,
        "/cases/",
        "/incidents/CH-",
    ):
        assert secret not in page, secret


def test_the_page_is_one_field_fit_for_a_tablet_at_the_desk(staff_osaka):
    response = client_for(staff_osaka, language="en").get("/checkin/")
    page = response.content.decode()
    assert response.status_code == 200
    field = re.search(r"<input[^>]*name=\"candidate_id\"[^>]*>", page).group(0)
    assert "autofocus" in field and 'autocomplete="off"' in field and "form-control-lg" in field
    assert 'method="post"' in page
    assert "Every lookup is recorded" in page
    assert 'id="checkin-answer"' not in page
    assert "no-store" in response["Cache-Control"]


def test_the_answer_comes_in_the_post_response_so_the_id_stays_out_of_every_url(
    staff_osaka, refusal
):
    response = look_up(staff_osaka, CANDIDATE_ID)
    assert response.status_code == 200 and not response.has_header("Location")
    assert "no-store" in response["Cache-Control"]
    # A GET with the ID in the query string looks nothing up.
    page = client_for(staff_osaka, language="en").get(f"/checkin/?candidate_id={CANDIDATE_ID}")
    assert 'id="checkin-answer"' not in page.content.decode()
    assert CheckinLookup.objects.count() == 1


# --- Exact match only ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "part_of_the_id",
    ["SR2027", "SR202700", "20270001", "R2027000", "SR202700011", "SR20270002"],
)
def test_a_part_or_a_near_miss_of_the_id_finds_nothing(part_of_the_id, staff_osaka, refusal):
    answer = answer_of(look_up(staff_osaka, part_of_the_id))
    assert NO_RESTRICTION in answer and "Testing refused" not in answer


@pytest.mark.parametrize(
    "typed", ["sr20270001", "ＳＲ２０２７０００１", "ｓｒ－２０２７－０００１", " SR 2027 0001 "]
)
def test_the_full_id_typed_in_lower_case_full_width_or_with_spaces_finds_it(
    typed, staff_osaka, refusal
):
    answer = answer_of(look_up(staff_osaka, typed))
    assert refused_until(refusal.ends_on) in answer
    assert f'id="checkin-candidate-id">{CANDIDATE_ID}<' in answer  # shown back, normalised


def test_an_unknown_id_and_a_candidate_without_restriction_get_the_same_answer(
    staff_osaka, staff_tokyo, refusal
):
    file_report(staff_tokyo, candidate_id_entered="SR20270077", narrative="Shouted once.")

    def without_id_and_time(response, candidate_id):
        answer = answer_of(response).replace(candidate_id, "ID")
        return re.sub(r'<p[^>]*id="checkin-looked-up-at".*?</p>', "", answer, flags=re.S)

    known = without_id_and_time(look_up(staff_osaka, "SR20270077"), "SR20270077")
    unknown = without_id_and_time(look_up(staff_osaka, "SR20279999"), "SR20279999")
    assert NO_RESTRICTION in known
    assert known == unknown


# --- Only restrictions in force today ---------------------------------------------------------


@pytest.mark.parametrize(
    ("why", "overrides"),
    [
        ("it ended yesterday", {"starts_on": -365, "ends_on": -1}),
        ("it starts tomorrow", {"starts_on": 1, "ends_on": 365}),
        ("it is only proposed", {"state": "proposed", "decided_by": None, "decided_at": None}),
        ("it was rejected", {"state": "rejected"}),
        ("it expired", {"state": "expired"}),
        ("it was superseded", {"state": "superseded"}),
        ("it is a caution", {"outcome": "caution", "scope": ""}),
    ],
)
def test_a_restriction_not_in_force_today_is_not_shown(
    why, overrides, staff_osaka, tokyo_candidate, refuse_testing
):
    today = timezone.localdate()
    for field in ("starts_on", "ends_on"):
        if field in overrides:
            overrides[field] = today + timedelta(days=overrides[field])
    refuse_testing(tokyo_candidate, **overrides)
    answer = answer_of(look_up(staff_osaka, CANDIDATE_ID))
    assert NO_RESTRICTION in answer, why
    assert "Testing refused" not in answer, why


def test_a_restriction_ending_today_is_still_shown(staff_osaka, tokyo_candidate, refuse_testing):
    today = timezone.localdate()
    refuse_testing(tokyo_candidate, starts_on=today - timedelta(days=30), ends_on=today)
    assert refused_until(today) in answer_of(look_up(staff_osaka, CANDIDATE_ID))


def test_today_is_the_day_in_tokyo(staff_osaka, tokyo_candidate, refuse_testing):
    # 23:30 UTC on 31 May is already 1 June in Tokyo: a refusal from 1 June is in force.
    with time_machine.travel("2027-05-31T23:30:00Z", tick=False):
        refuse_testing(
            tokyo_candidate, starts_on=timezone.localdate(), ends_on=timezone.localdate()
        )
        answer = answer_of(look_up(staff_osaka, CANDIDATE_ID))
    assert "Testing refused until" in answer


# --- Where the restriction applies ---------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "shown"),
    [
        ("staff_tokyo", True),
        ("supervisor_tokyo", True),
        ("manager", True),
        ("legal", True),
        ("staff_osaka", False),
        ("supervisor_osaka", False),
    ],
)
def test_a_refusal_at_listed_centers_is_shown_at_those_centers_and_to_managers_and_legal(
    person, shown, request, tokyo_candidate, refuse_testing
):
    refusal = refuse_testing(tokyo_candidate, scope="listed_centers", centers=["TKY01"])
    answer = answer_of(look_up(request.getfixturevalue(person), CANDIDATE_ID))
    if shown:
        assert refused_until(refusal.ends_on) in answer
        assert "At the listed test centers" in answer and "TKY01" in answer
    else:
        assert NO_RESTRICTION in answer and "Testing refused" not in answer


def test_a_refusal_for_one_clients_exams_is_shown_everywhere_with_the_client(
    staff_osaka, tokyo_candidate, refuse_testing
):
    refuse_testing(tokyo_candidate, scope="client", scope_client="Nihon Kentei Kyokai")
    answer = answer_of(look_up(staff_osaka, CANDIDATE_ID))
    assert "Only for the exams of one client" in answer
    assert "Client: Nihon Kentei Kyokai" in answer and CONTACT in answer


def test_several_refusals_are_each_shown_the_most_lasting_first(
    staff_osaka, tokyo_candidate, refuse_testing
):
    today = timezone.localdate()
    refuse_testing(tokyo_candidate, ends_on=today + timedelta(days=30))
    refuse_testing(tokyo_candidate, ends_on=None)
    restrictions = restrictions_for_checkin(staff_osaka, CANDIDATE_ID)
    assert [restriction.until for restriction in restrictions] == [
        None,
        today + timedelta(days=30),
    ]
    assert answer_of(look_up(staff_osaka, CANDIDATE_ID)).count("data-restriction") == 2


def test_the_desk_is_given_only_what_it_may_see(staff_osaka, refusal):
    (restriction,) = restrictions_for_checkin(staff_osaka, CANDIDATE_ID)
    assert set(vars(restriction)) == {"until", "scope_label", "centers", "client", "contact"}


# --- Merged candidates ------------------------------------------------------------------------


def test_the_old_id_of_a_merged_candidate_finds_the_survivors_refusal(
    staff_osaka, staff_tokyo, refusal
):
    old = file_report(staff_tokyo, candidate_id_entered="SR20190007").candidate
    older = file_report(staff_tokyo, candidate_id_entered="SR20150003").candidate
    Candidate.objects.filter(pk=old.pk).update(merged_into=refusal.case_file.candidate)
    Candidate.objects.filter(pk=older.pk).update(merged_into=old)
    for candidate_id in ("SR20190007", "SR20150003"):
        assert refused_until(refusal.ends_on) in answer_of(look_up(staff_osaka, candidate_id))


def test_a_refusal_on_a_record_merged_away_still_applies_to_the_survivor(
    staff_osaka, staff_tokyo, tokyo_candidate, refuse_testing
):
    old = file_report(staff_tokyo, candidate_id_entered="SR20190007").candidate
    refusal = refuse_testing(old)
    Candidate.objects.filter(pk=old.pk).update(merged_into=tokyo_candidate)
    assert refused_until(refusal.ends_on) in answer_of(look_up(staff_osaka, CANDIDATE_ID))


def test_a_merge_cycle_does_not_loop(staff_osaka, staff_tokyo, tokyo_candidate):
    other = file_report(staff_tokyo, candidate_id_entered="SR20190007").candidate
    Candidate.objects.filter(pk=tokyo_candidate.pk).update(merged_into=other)
    Candidate.objects.filter(pk=other.pk).update(merged_into=tokyo_candidate)
    assert NO_RESTRICTION in answer_of(look_up(staff_osaka, CANDIDATE_ID))


# --- Every lookup is logged ------------------------------------------------------------------


def test_every_lookup_is_logged_with_the_user_the_center_and_the_id_as_typed(staff_osaka, refusal):
    look_up(staff_osaka, "ｓｒ－２０２７－０００１")
    look_up(staff_osaka, "SR20279999")
    lookups = list(CheckinLookup.objects.order_by("id").values())
    osaka = Center.objects.get(code="OSA01")
    assert [
        (row["user_id"], row["center_id"], row["candidate_id_entered"], row["restricted"])
        for row in lookups
    ] == [
        (staff_osaka.pk, osaka.pk, "ｓｒ－２０２７－０００１", True),
        (staff_osaka.pk, osaka.pk, "SR20279999", False),
    ]


def test_invalid_input_is_refused_kept_in_the_field_and_logged_as_typed(staff_osaka, refusal):
    response = look_up(staff_osaka, "SR-20*")
    page = response.content.decode()
    assert response.status_code == 422
    assert "A candidate ID is 4 to 20 letters and digits" in page
    assert 'value="SR-20*"' in page
    assert 'id="checkin-answer"' not in page
    lookup = CheckinLookup.objects.get()
    assert (lookup.user, lookup.candidate_id_entered, lookup.restricted) == (
        staff_osaka,
        "SR-20*",
        False,
    )


def test_overlong_input_is_logged_cut_to_forty_characters(staff_osaka):
    typed = "SR" + "0123456789" * 6
    assert look_up(staff_osaka, typed).status_code == 422
    assert CheckinLookup.objects.get().candidate_id_entered == typed[:40]


def test_a_manager_lookup_is_logged_without_a_center(manager, refusal):
    look_up(manager, CANDIDATE_ID)
    lookup = CheckinLookup.objects.get()
    assert (lookup.user, lookup.center, lookup.restricted) == (manager, None, True)


def test_opening_the_page_is_not_a_lookup(staff_osaka):
    client_for(staff_osaka).get("/checkin/")
    assert not CheckinLookup.objects.exists()


# --- Rate limit ------------------------------------------------------------------------------
# Small limits from the settings, and a frozen clock that the tests move: never a sleep.

PER_DEVICE = 3
PER_USER = 5
WINDOW = 600


@pytest.fixture
def limits(settings):
    settings.CHECKIN_LOOKUPS_PER_DEVICE = PER_DEVICE
    settings.CHECKIN_LOOKUPS_PER_USER = PER_USER
    settings.CHECKIN_WINDOW_SECONDS = WINDOW


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def lookups(client, count: int, candidate_id: str = "SR20279999") -> list[int]:
    return [
        client.post("/checkin/", {"candidate_id": candidate_id}).status_code for _ in range(count)
    ]


def on_the_same_device(user, device_client, *, language: str = "en"):
    """``user`` signed in on the device ``device_client`` was used on (its cookie)."""
    client = client_for(user, language=language)
    client.cookies[DEVICE_COOKIE] = device_client.cookies[DEVICE_COOKIE].value
    return client


def rate_limit_message(response) -> str:
    found = re.search(r'id="checkin-rate-limited">(.*?)</div>', response.content.decode(), re.S)
    assert found, "the page has no rate-limit message"
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def test_the_lookup_past_the_device_limit_is_refused_with_429_the_wait_and_logged_as_refused(
    limits, clock, staff_osaka, refusal, caplog
):
    tablet = client_for(staff_osaka, language="en")
    assert lookups(tablet, PER_DEVICE) == [200] * PER_DEVICE
    with caplog.at_level(logging.WARNING, logger="incidents.services.checkin"):
        response = tablet.post("/checkin/", {"candidate_id": CANDIDATE_ID})
    page = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == str(WINDOW)
    assert rate_limit_message(response) == (
        "Too many lookups from this device in a short time. Try again in 10 minutes, "
        "or use another device."
    )
    assert "Testing refused" not in page and NO_RESTRICTION not in page
    assert "no-store" in response["Cache-Control"]
    # Every lookup is logged, the refused one too: marked refused, showing no restriction.
    refused = CheckinLookup.objects.get(user=staff_osaka, refused=True)
    assert (refused.candidate_id_entered, refused.restricted) == (CANDIDATE_ID, False)
    assert CheckinLookup.objects.filter(user=staff_osaka, refused=False).count() == PER_DEVICE
    messages = [record.getMessage() for record in caplog.records]
    assert any(f"device limit for user {staff_osaka.pk} " in message for message in messages)
    assert not any(CANDIDATE_ID in message for message in messages)


def test_a_user_limited_on_one_device_looks_up_on_another_until_the_user_limit(
    limits, clock, staff_osaka, refusal
):
    first_tablet = client_for(staff_osaka, language="en")
    assert lookups(first_tablet, PER_DEVICE + 1) == [200] * PER_DEVICE + [429]
    second_tablet = client_for(staff_osaka, language="en")
    response = second_tablet.post("/checkin/", {"candidate_id": CANDIDATE_ID})
    assert response.status_code == 200
    assert refused_until(refusal.ends_on) in answer_of(response)
    assert lookups(second_tablet, PER_USER - PER_DEVICE - 1) == [200]
    # The user limit: refused on the second tablet, though it made only two lookups.
    response = second_tablet.post("/checkin/", {"candidate_id": CANDIDATE_ID})
    assert response.status_code == 429
    assert rate_limit_message(response) == (
        "You have made too many lookups in a short time. Try again in 10 minutes, "
        "or ask your supervisor."
    )
    # And on a third tablet too.
    assert lookups(client_for(staff_osaka, language="en"), 1) == [429]


def test_another_user_on_a_limited_device_is_refused_there_and_free_elsewhere(
    limits, clock, staff_osaka, staff_tokyo
):
    tablet = client_for(staff_osaka, language="en")
    lookups(tablet, PER_DEVICE)
    assert lookups(on_the_same_device(staff_tokyo, tablet), 1) == [429]
    assert lookups(client_for(staff_tokyo, language="en"), 1) == [200]


def test_throwing_the_device_cookie_away_still_counts_against_the_address(
    limits, clock, staff_osaka, staff_tokyo
):
    # Each lookup without the cookie is a new device, but from the same address.
    tablet = client_for(staff_osaka, language="en")
    assert lookups(tablet, 1) == [200]
    for _ in range(PER_DEVICE - 1):
        assert lookups(client_for(staff_osaka, language="en"), 1) == [200]
    assert lookups(client_for(staff_tokyo, language="en"), 1) == [429]
    forged = client_for(staff_tokyo, language="en")
    forged.cookies[DEVICE_COOKIE] = "made-up"  # an unsigned cookie is no device
    assert lookups(forged, 1) == [429]
    # A device that kept its cookie goes on.
    assert lookups(tablet, 1) == [200]


def test_the_device_cookie_is_long_lived_signed_and_kept_from_scripts(staff_osaka):
    tablet = client_for(staff_osaka, language="en")
    assert 'id="checkin-answer"' not in tablet.get("/checkin/").content.decode()
    assert DEVICE_COOKIE not in tablet.cookies  # opening the page is not a lookup
    lookups(tablet, 1)
    cookie = tablet.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 365 * 24 * 60 * 60
    # The same device, lookup after lookup: the cookie is signed again each time, with the
    # second of signing in it ("token:time:signature"); the token is what stays.
    token, _signed_at, _signature = cookie.value.split(":")
    lookups(tablet, 1)
    assert tablet.cookies[DEVICE_COOKIE].value.split(":")[0] == token


def test_the_window_slides_she_is_let_in_when_her_oldest_lookup_leaves_it(
    limits, clock, staff_osaka
):
    tablet = client_for(staff_osaka, language="en")
    for _ in range(PER_DEVICE):
        assert lookups(tablet, 1) == [200]
        clock.shift(100)
    # 300 s after the first lookup: it leaves the window in 300 s.
    response = tablet.post("/checkin/", {"candidate_id": "SR20279999"})
    assert (response.status_code, response["Retry-After"]) == (429, "300")
    assert "Try again in 5 minutes" in rate_limit_message(response)
    clock.shift(WINDOW - 300 - 1)  # a second before the oldest leaves
    response = tablet.post("/checkin/", {"candidate_id": "SR20279999"})
    assert (response.status_code, response["Retry-After"]) == (429, "1")
    assert "Try again in 1 minute," in rate_limit_message(response)
    clock.shift(1)
    assert lookups(tablet, 1) == [200]
    # Not a fixed window: the lookups at 100 s and 200 s are still in it.
    response = tablet.post("/checkin/", {"candidate_id": "SR20279999"})
    assert (response.status_code, response["Retry-After"]) == (429, "100")
    assert "Try again in 2 minutes" in rate_limit_message(response)


def test_trying_again_while_refused_does_not_push_the_wait_back(limits, clock, staff_osaka):
    tablet = client_for(staff_osaka, language="en")
    lookups(tablet, PER_DEVICE)
    clock.shift(WINDOW // 2)
    assert lookups(tablet, 5) == [429] * 5
    clock.shift(WINDOW // 2)
    assert lookups(tablet, 1) == [200]


@pytest.mark.parametrize(
    ("language", "device_message", "user_message"),
    [
        (
            "ja",
            "この端末からの照会が短時間に多すぎます。10分後にもう一度お試しいただくか、"
            "別の端末を使ってください。",
            "短時間の照会が多すぎます。10分後にもう一度お試しいただくか、"
            "スーパーバイザーに相談してください。",
        ),
        (
            "en",
            "Too many lookups from this device in a short time. Try again in 10 minutes, "
            "or use another device.",
            "You have made too many lookups in a short time. Try again in 10 minutes, "
            "or ask your supervisor.",
        ),
    ],
)
def test_the_refusal_names_the_wait_in_her_language(
    language, device_message, user_message, limits, clock, staff_osaka
):
    tablet = client_for(staff_osaka, language=language)
    lookups(tablet, PER_DEVICE)
    assert rate_limit_message(tablet.post("/checkin/", {"candidate_id": "SR20279999"})) == (
        device_message
    )
    other_tablet = client_for(staff_osaka, language=language)
    lookups(other_tablet, PER_USER - PER_DEVICE)
    assert rate_limit_message(other_tablet.post("/checkin/", {"candidate_id": "SR20279999"})) == (
        user_message
    )


def test_the_defaults_suit_a_busy_session_start():
    # Sixty candidates at one tablet in ten minutes, twice that for one person on several.
    assert (
        django_settings.CHECKIN_LOOKUPS_PER_DEVICE,
        django_settings.CHECKIN_LOOKUPS_PER_USER,
        django_settings.CHECKIN_WINDOW_SECONDS,
    ) == (60, 120, 600)


def test_invalid_input_counts_towards_the_limit(limits, clock, staff_osaka):
    tablet = client_for(staff_osaka, language="en")
    assert lookups(tablet, PER_DEVICE, candidate_id="?") == [422] * PER_DEVICE
    assert lookups(tablet, 1, candidate_id=CANDIDATE_ID) == [429]


def test_without_redis_the_user_limit_still_holds_counted_from_the_log(
    limits, clock, staff_osaka, settings
):
    nothing_listens = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": nothing_listens},
    }
    tablet = client_for(staff_osaka, language="en")
    assert lookups(tablet, PER_USER) == [200] * PER_USER
    clock.shift(60)
    response = tablet.post("/checkin/", {"candidate_id": "SR20279999"})
    assert (response.status_code, response["Retry-After"]) == (429, str(WINDOW - 60))
    assert "Try again in 9 minutes" in rate_limit_message(response)
    # Refused lookups are logged but not counted: the wait does not grow.
    clock.shift(WINDOW - 60)
    assert lookups(tablet, 1) == [200]


# --- Who may look up -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "person", ["staff_tokyo", "staff_osaka", "supervisor_tokyo", "manager", "legal"]
)
def test_staff_supervisors_managers_and_legal_may_look_up(person, request):
    client = client_for(request.getfixturevalue(person), language="en")
    assert client.get("/checkin/").status_code == 200
    assert client.post("/checkin/", {"candidate_id": CANDIDATE_ID}).status_code == 200


@pytest.mark.parametrize("person", ["outsider", "admin"])
def test_someone_without_a_desk_role_gets_404_and_nothing_is_logged(person, request, refusal):
    client = client_for(request.getfixturevalue(person), language="en")
    assert client.get("/checkin/").status_code == 404
    response = client.post("/checkin/", {"candidate_id": CANDIDATE_ID})
    assert response.status_code == 404
    assert "Testing refused" not in response.content.decode()
    assert not CheckinLookup.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(demo):
    response = client_for(None).post("/checkin/", {"candidate_id": CANDIDATE_ID})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/checkin/"
    assert not CheckinLookup.objects.exists()

"""The escalations inbox and the bell: one card per incident, what the viewer must act on
apart from what is for her information, ordered by the nearest deadline, the bell counting
exactly the cards to act on."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership, Role
from incidents.models import Escalation, IncidentReport
from incidents.services.escalation import escalation_acknowledge, escalations_sweep
from outbox.models import Email
from tests.helpers import DEMO_ROLES, client_for, file_report

SEVERE = "Severe case (violence, sexual harassment, injury, police)"
HIGH = "High-severity report"
SUPPORT = "The reporter asked for support"


def bell(client) -> int:
    found = re.search(r'data-bell-count="(\d+)"', client.get("/").content.decode())
    return int(found.group(1)) if found else 0


def cards(client, tab: str = "act", **params) -> list[str]:
    """The references of the cards of one tab, every page of it, in their order."""
    references, page = [], 1
    while True:
        response = client.get("/escalations/", {"tab": tab, "page": page, **params})
        assert response.status_code == 200
        html = response.content.decode()
        references += re.findall(r'data-card="\w+" data-reference="([^"]+)"', html)
        if f"page={page + 1}" not in html:
            return references
        page += 1


def card_html(client, reference: str, tab: str = "act") -> str:
    html = client.get("/escalations/", {"tab": tab}).content.decode()
    start = html.index(f'data-reference="{reference}"')
    return html[start : html.index("</article>", start)]


@pytest.fixture
def busy(staff_tokyo, staff_osaka):
    """The demo's escalations and more: a physical attack in Tokyo (managers and legal, and
    the Tokyo supervisor for its severity), a support request in Osaka (its supervisor and
    staff care), one of them already acknowledged by a manager."""
    attack = file_report(staff_tokyo, categories=("physical_attack",))
    support = file_report(staff_osaka, categories=("verbal_abuse",), support_requested=True)
    done = file_report(staff_tokyo, categories=("sexual_harassment",))
    escalation_acknowledge(
        escalation=done.escalations.get(rule__name_en=SEVERE),
        by=staff_tokyo.__class__.objects.get(username="manager"),
    )
    return {"attack": attack, "support": support, "done": done}


@pytest.mark.parametrize("username", ["supervisor.tokyo", "manager"])
def test_the_bell_of_every_page_follows_each_escalation_and_its_acknowledgement(
    staff_tokyo, username
):
    # Her profile: a page whose navbar counts the bell itself (the home page and the inbox
    # count it with their own figures). A supervisor files reports too: her bell is counted
    # with her notices; a manager's alone.
    client = client_for(staff_tokyo.__class__.objects.get(username=username), language="en")

    def page_bell() -> int:
        html = client.get("/accounts/profile/").content.decode()
        found = re.search(r'data-bell-count="(\d+)"', html)
        return int(found.group(1)) if found else 0

    before = page_bell()
    attack = file_report(staff_tokyo, categories=("physical_attack",))
    assert page_bell() == before + 1
    for escalation in attack.escalations.all():
        escalation_acknowledge(
            escalation=escalation, by=staff_tokyo.__class__.objects.get(username="manager")
        )
    assert page_bell() == before


@pytest.mark.parametrize("role", DEMO_ROLES)
def test_the_bell_counts_the_cards_to_act_on(demo, busy, role):
    client = client_for(demo[role], language="en")
    to_act_on = cards(client) if client.get("/escalations/").status_code == 200 else []
    assert bell(client) == len(to_act_on) == len(set(to_act_on))


@pytest.mark.parametrize("page", ["/", "/escalations/", "/accounts/profile/"])
def test_the_bell_says_more_wait_when_it_stopped_counting(demo, busy, monkeypatch, page):
    """The bell counts among OPEN_COUNT_LIMIT open escalations (a thousand): past that it
    reads "N+", on the pages that count it themselves (home, inbox) as on the others."""
    from incidents.selectors import escalations

    client = client_for(demo["manager"], language="en")
    html = client.get(page).content.decode()
    exact = re.search(r'data-bell-count="(\d+)">(\d+)<', html)
    assert exact and exact.group(1) == exact.group(2)  # every one counted: no "+"
    monkeypatch.setattr(escalations, "OPEN_COUNT_LIMIT", 1)
    html = client.get(page).content.decode()
    capped = re.search(r'data-bell-count="(\d+)">(\d+)\+<', html)
    assert capped, "the bell reads N+ once it stops counting"


def test_what_each_role_must_act_on(demo, busy):
    attack, support, done = busy["attack"], busy["support"], busy["done"]
    manager = client_for(demo["manager"], language="en")
    assert attack.reference in cards(manager)
    assert support.reference not in cards(manager)  # supervisors' and staff care's
    assert done.reference not in cards(manager)  # acknowledged
    info = cards(manager, tab="info")
    assert support.reference in info and done.reference in info
    # Each incident once, in one tab.
    assert not set(cards(manager)) & set(info)
    care = client_for(demo["care"], language="en")
    assert support.reference in cards(care)
    assert attack.reference not in cards(care) + cards(care, tab="info")
    osaka = client_for(demo["supervisor.osaka"], language="en")
    assert support.reference in cards(osaka)
    assert client_for(demo["staff.tokyo"]).get("/escalations/").status_code == 404


def test_one_card_per_incident_with_each_escalation_and_who_was_told(demo, busy):
    attack = busy["attack"]
    manager = client_for(demo["manager"], language="en")
    card = card_html(manager, attack.reference)
    severe = attack.escalations.get(rule__name_en=SEVERE)
    high = attack.escalations.get(rule__name_en=HIGH)
    assert card.count("data-escalation=") == 2
    assert SEVERE in card and HIGH in card
    # Who was told (by name and code), by which channel and how the e-mail fared.
    for username in ("manager", "legal", "supervisor.tokyo"):
        person = demo[username]
        assert f"{person.display_name} ({person.staff_code})" in card
    assert "In the portal" in card and "E-mail: Waiting to be sent" in card
    # She acknowledges what was sent to her, not the supervisor's escalation.
    assert f'action="/escalations/{severe.pk}/acknowledge/"' in card
    assert f'action="/escalations/{high.pk}/acknowledge/"' not in card
    response = manager.post(f"/escalations/{high.pk}/acknowledge/", {"note": "Mine now."})
    assert response.status_code == 404
    high.refresh_from_db()
    assert high.acknowledged_at is None


def test_acknowledged_it_moves_to_information_with_who_and_when(demo, busy):
    attack = busy["attack"]
    manager = client_for(demo["manager"], language="en")
    before = bell(manager)
    severe = attack.escalations.get(rule__name_en=SEVERE)
    response = manager.post(f"/escalations/{severe.pk}/acknowledge/", {"note": "Called TKY01."})
    assert response.status_code == 302
    assert bell(manager) == before - 1
    assert attack.reference not in cards(manager)
    card = card_html(manager, attack.reference, tab="info")
    assert "Acknowledged" in card and "by HQ-0002: Called TKY01." in card
    assert "<form" not in card  # nothing left for her to acknowledge
    # Legal was told of the same escalation: one acknowledgement answers for both.
    assert attack.reference not in cards(client_for(demo["legal"], language="en"))
    # The supervisor still has her own escalation of it to acknowledge.
    assert attack.reference in cards(client_for(demo["supervisor.tokyo"], language="en"))


def test_an_undelivered_email_shows_on_its_card(demo, busy):
    attack = busy["attack"]
    Email.objects.filter(key__in=[f"notification:{n.pk}" for n in _emails_of(attack)]).update(
        status="failed"
    )
    card = card_html(client_for(demo["manager"], language="en"), attack.reference)
    assert "E-mail undelivered" in card and 'data-email-status="failed"' in card


def _emails_of(report):
    from incidents.models import Notification

    return Notification.objects.filter(escalation__report=report, channel="email")


def test_the_nearest_deadline_comes_first_overdue_before_it_none_last(demo, staff_tokyo):
    now = timezone.now()
    late, soon, later, none = (
        file_report(staff_tokyo, categories=("physical_attack",)) for _ in range(4)
    )
    deadlines = {late: now - timedelta(minutes=5), soon: now + timedelta(minutes=10)}
    deadlines |= {later: now + timedelta(hours=3), none: None}
    for report, deadline in deadlines.items():
        Escalation.objects.filter(report=report).update(ack_deadline=deadline)
    order = cards(client_for(demo["manager"], language="en"))
    mine = [r for r in order if r in {x.reference for x in deadlines}]
    assert mine == [late.reference, soon.reference, later.reference, none.reference]
    # Every card with a deadline comes before the demo's card without one.
    assert order.index(later.reference) < order.index("CH-2026-000005")
    card = card_html(client_for(demo["manager"], language="en"), late.reference)
    assert "data-overdue" in card


def test_a_cards_deadline_is_that_of_the_escalation_that_places_it(demo, staff_tokyo):
    report = file_report(staff_tokyo, categories=("physical_attack",), support_requested=True)
    now = timezone.now()
    severe = report.escalations.get(rule__name_en=SEVERE)
    Escalation.objects.filter(pk=severe.pk).update(ack_deadline=now + timedelta(hours=3))
    support_deadline = now + timedelta(minutes=10)
    report.escalations.filter(rule__name_en=SUPPORT).update(ack_deadline=support_deadline)
    manager = client_for(demo["manager"], language="en")

    def deadline(tab: str) -> str:
        return re.search(r'data-deadline="([^"]+)"', card_html(manager, report.reference, tab))[1]

    # To act on: her own, not the sooner one that waits for the supervisor and staff care.
    assert deadline("act") == timezone.localtime(now + timedelta(hours=3)).isoformat()
    escalation_acknowledge(escalation=severe, by=demo["manager"], note="")
    # For information: what still waits, for someone else.
    assert deadline("info") == timezone.localtime(support_deadline).isoformat()


def test_an_escalation_not_acknowledged_in_time_joins_its_incidents_card(demo, staff_tokyo):
    report = file_report(staff_tokyo, categories=("physical_attack",))
    Escalation.objects.filter(report=report).update(
        ack_deadline=timezone.now() - timedelta(minutes=1)
    )
    escalations_sweep()
    admin = client_for(demo["admin"], language="en")
    assert cards(admin).count(report.reference) == 1
    card = card_html(admin, report.reference)
    assert "Not acknowledged in time" in card
    # The administrator is told, but does not read reports: the reference is not a link.
    assert f'href="/incidents/{report.reference}/"' not in card
    assert bell(admin) == len(cards(admin))


def test_staff_care_sees_the_support_request_without_a_case_file_link(demo, busy):
    support = busy["support"]
    care = client_for(demo["care"], language="en")
    card = card_html(care, support.reference)
    assert f'href="/incidents/{support.reference}/"' in card
    assert "/cases/" not in card and "data-severity" not in card
    for href in re.findall(r'href="(/[^"]*)"', card):
        assert care.get(href).status_code == 200, href


def test_an_emails_link_shows_its_incident_alone(demo, busy):
    attack = busy["attack"]
    manager = client_for(demo["manager"], language="en")
    escalation = attack.escalations.get(rule__name_en=HIGH)
    assert cards(manager, escalation=escalation.pk) == [attack.reference]
    # Once acknowledged, the link opens the card in the information tab.
    escalation_acknowledge(
        escalation=attack.escalations.get(rule__name_en=SEVERE), by=demo["manager"]
    )
    html = manager.get("/escalations/", {"escalation": escalation.pk}).content.decode()
    assert re.findall(r'data-card="(\w+)" data-reference="([^"]+)"', html) == [
        ("info", attack.reference)
    ]


@pytest.mark.parametrize("count", [1, 20])
def test_the_inbox_reads_a_page_in_a_fixed_number_of_queries(
    without_reports, staff_tokyo, manager, django_assert_max_num_queries, count
):
    for _ in range(count):
        file_report(staff_tokyo, categories=("physical_attack",), support_requested=True)
    client = client_for(manager, language="en")
    client.get("/escalations/")  # the session and the language, read once
    # session, user, her second-factor device (django-otp), roles, tabs, the page's cards in
    # the walk and their reports, 2 prefetches, bell, centers: the same for 1 card and for 20
    with django_assert_max_num_queries(11):
        html = client.get("/escalations/").content.decode()
    assert html.count("data-card=") == count
    assert IncidentReport.objects.count() == count


def test_the_inbox_counts_follow_a_change_of_what_she_may_see(demo, busy):
    # The counts' statement is built once per user and what she may see: granted a manager's
    # role, the Tokyo supervisor sees every escalation for information at her next visit.
    supervisor = demo["supervisor.tokyo"]
    client = client_for(supervisor, language="en")

    def counts() -> list[int]:
        html = client.get("/escalations/").content.decode()
        return [int(count) for count in re.findall(r'data-count="(\d+)"', html)]

    before = counts()
    Membership.objects.create(user=supervisor, role=Role.MANAGER)
    after = counts()

    assert after[1] > before[1]  # "For information": the Osaka support request and others
    assert after[1] == counts()[1]

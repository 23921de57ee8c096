"""The escalation rules, evaluated in the submitting transaction (no worker needed here)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from incidents.models import Escalation, EscalationRule, EventKind, Notification
from incidents.services.escalation import escalations_sweep
from incidents.services.triage import report_correct
from policy.models import Category
from tests.helpers import client_for, file_report

SEVERE = "Severe case (violence, sexual harassment, injury, police)"
HIGH = "High-severity report"
REPEAT = "Candidate with 3 or more reports in 180 days"
SUPPORT = "The reporter asked for support"
OVERDUE = "Severe case not acknowledged in time"


def rules_of(report) -> set[str]:
    return set(Escalation.objects.filter(report=report).values_list("rule__name_en", flat=True))


def told(report, rule_name: str, channel: str = "email") -> set[str]:
    return set(
        Notification.objects.filter(
            escalation__report=report, escalation__rule__name_en=rule_name, channel=channel
        ).values_list("recipient__username", flat=True)
    )


@pytest.mark.parametrize(
    "values",
    [
        {"categories": ("physical_attack",)},
        {"categories": ("sexual_harassment",)},
        {"categories": ("unjustified_face_to_face",), "injury": True, "injury_details": "A cut."},
        {"categories": ("unjustified_face_to_face",), "police_called": True},
        {
            "categories": ("unjustified_face_to_face",),
            "severity": "critical",
            "severity_reason": "x",
        },
    ],
)
def test_each_severe_condition_tells_managers_and_legal_at_once(staff_tokyo, values):
    report = file_report(staff_tokyo, **values)
    assert SEVERE in rules_of(report)
    assert told(report, SEVERE) == {"manager", "legal"}
    assert told(report, SEVERE, "portal") == {"manager", "legal"}
    escalation = report.escalations.get(rule__name_en=SEVERE)
    assert escalation.ack_deadline - escalation.created_at == timedelta(minutes=60)


def test_a_rule_an_administrator_changes_applies_to_the_next_report(staff_tokyo):
    assert SEVERE in rules_of(file_report(staff_tokyo, categories=("physical_attack",)))
    severe = EscalationRule.objects.get(name_en=SEVERE)
    severe.active = False
    severe.save(update_fields=["active"])
    assert SEVERE not in rules_of(file_report(staff_tokyo, categories=("physical_attack",)))

    severe.active = True
    severe.save(update_fields=["active"])
    assert SEVERE in rules_of(file_report(staff_tokyo, categories=("physical_attack",)))


def test_a_low_report_escalates_to_nobody(staff_tokyo):
    report = file_report(staff_tokyo, categories=("unjustified_face_to_face",))
    assert rules_of(report) == set()


def test_a_high_report_tells_the_centers_supervisors_within_a_day(staff_tokyo):
    report = file_report(staff_tokyo, categories=("verbal_abuse",))
    assert rules_of(report) == {HIGH}
    assert told(report, HIGH) == {"supervisor.tokyo"}


def test_support_requested_tells_her_supervisor_and_the_staff_care_contact(staff_osaka):
    report = file_report(
        staff_osaka, categories=("unjustified_face_to_face",), support_requested=True
    )
    assert told(report, SUPPORT) == {"supervisor.osaka", "care"}


def test_the_reporter_is_never_told_of_her_own_report(supervisor_tokyo):
    report = file_report(supervisor_tokyo, categories=("verbal_abuse",))
    assert "supervisor.tokyo" not in told(report, HIGH)


def test_a_borderline_rule_and_external_contacts_work_when_an_admin_adds_them(staff_tokyo):
    rule = EscalationRule.objects.create(
        name_ja="判断に迷う事案",
        name_en="Borderline case",
        on_advice=True,
        external_emails="counsel@lawfirm.example\n",
    )
    file_report(staff_tokyo, categories=("other",), advice_requested=True)
    assert Notification.objects.get(escalation__rule=rule).email == "counsel@lawfirm.example"


def test_a_repeat_candidate_is_escalated_once_when_crossing_the_threshold(staff_tokyo, staff_osaka):
    reports = [
        file_report(person, candidate_id_entered="SR70000001", categories=("other",))
        for person in (staff_tokyo, staff_osaka, staff_tokyo, staff_osaka)
    ]
    crossed = [REPEAT in rules_of(report) for report in reports]
    assert crossed == [False, False, True, False]
    assert told(reports[2], REPEAT) == {"manager"}


def test_reports_older_than_the_window_do_not_count(staff_tokyo):
    with time_machine.travel(timezone.now() - timedelta(days=200)):
        file_report(staff_tokyo, candidate_id_entered="SR70000002", categories=("other",))
        file_report(staff_tokyo, candidate_id_entered="SR70000002", categories=("other",))
    report = file_report(staff_tokyo, candidate_id_entered="SR70000002", categories=("other",))
    assert REPEAT not in rules_of(report)


def test_a_severity_raised_at_triage_escalates(staff_tokyo, supervisor_tokyo):
    report = file_report(staff_tokyo, categories=("unjustified_face_to_face",))
    report_correct(
        report=report,
        by=supervisor_tokyo,
        categories=Category.objects.filter(code="physical_attack"),
        severity="critical",
        reason="He pushed her.",
    )
    assert SEVERE in rules_of(report)


def test_an_unacknowledged_escalation_goes_to_the_next_level_once(staff_tokyo):
    report = file_report(staff_tokyo, categories=("physical_attack",))

    def next_levels() -> int:
        return Escalation.objects.filter(report=report, previous__isnull=False).count()

    with time_machine.travel(timezone.now() + timedelta(minutes=59)):
        escalations_sweep()
        assert next_levels() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        escalations_sweep()
        escalations_sweep()
        assert next_levels() == 1  # the severe one (the high one has a day)
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        escalations_sweep()
        assert next_levels() == 2
    assert told(report, OVERDUE) == {"manager", "legal", "admin"}
    assert report.timeline.filter(kind=EventKind.ESCALATED_NEXT_LEVEL).count() == 2


def test_an_acknowledged_escalation_does_not_go_up(staff_tokyo, manager):
    from incidents.services.escalation import escalation_acknowledge

    report = file_report(staff_tokyo, categories=("physical_attack",))
    for escalation in report.escalations.all():
        escalation_acknowledge(escalation=escalation, by=manager, note="On it.")
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        escalations_sweep()
    assert not Escalation.objects.filter(report=report, previous__isnull=False).exists()


def test_a_rolled_back_submission_leaves_no_escalation_and_queues_nothing(
    staff_tokyo, django_capture_on_commit_callbacks
):
    from incidents.services import report_submit

    draft = file_report(staff_tokyo, submit=False, categories=("physical_attack",))
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        report_submit(report=draft, by=staff_tokyo)
        raise RuntimeError("the request failed")
    assert not Escalation.objects.filter(report=draft).exists()
    assert callbacks == []


def test_a_double_submission_escalates_once(staff_tokyo):
    from incidents.services import report_submit

    draft = file_report(staff_tokyo, submit=False, categories=("physical_attack",))
    report_submit(report=draft, by=staff_tokyo)
    report_submit(report=draft, by=staff_tokyo)
    assert Escalation.objects.filter(report=draft, rule__name_en=SEVERE).count() == 1


def test_the_reporter_sees_that_her_report_was_escalated_not_to_whom(staff_tokyo):
    report = file_report(staff_tokyo, categories=("physical_attack",))
    page = (
        client_for(staff_tokyo, language="en")
        .get(f"/incidents/{report.reference}/")
        .content.decode()
    )
    assert "Escalated" in page
    assert SEVERE not in page and "HQ-0002" not in page


def test_the_inbox_and_the_bell(staff_tokyo, manager, legal, supervisor_tokyo):
    client = client_for(manager, language="en")
    before = bell(client)
    report = file_report(staff_tokyo, categories=("physical_attack",))
    page = client.get("/escalations/").content.decode()
    assert report.reference in page
    assert bell(client) == before + 1
    legal_before = bell(client_for(legal))
    escalation = report.escalations.get(rule__name_en=SEVERE)
    client.post(f"/escalations/{escalation.pk}/acknowledge/", {"note": "Called the center."})
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == manager and escalation.ack_note == "Called the center."
    assert bell(client) == before
    # Legal was told too; once acknowledged, it no longer rings for her either.
    assert bell(client_for(legal)) == legal_before - 1
    assert client_for(staff_tokyo).get("/escalations/").status_code == 404


def bell(client) -> int:
    found = re.search(r'data-bell-count="(\d+)"', client.get("/").content.decode())
    return int(found.group(1)) if found else 0


def test_each_notification_keeps_its_escalations_report_whatever_an_insert_says(staff_tokyo):
    # The bell and the inbox count incidents from the report kept on each notification.
    severe = file_report(staff_tokyo, categories=("physical_attack",))
    other = file_report(staff_tokyo, categories=("verbal_abuse",))
    notifications = Notification.objects.filter(escalation__report=severe)
    assert notifications.exists()
    assert set(notifications.values_list("report", flat=True)) == {severe.pk}
    escalation = severe.escalations.first()
    written = Notification.objects.create(
        escalation=escalation, report=other, email="counsel@lawfirm.example", channel="email"
    )
    written.refresh_from_db()
    assert written.report_id == severe.pk
    Notification.objects.filter(pk=written.pk).update(report=other)
    written.refresh_from_db()
    assert written.report_id == severe.pk


def test_the_admin_shows_a_notifications_report_and_offers_no_other(staff_tokyo, admin):
    # A choice of every report ever filed would be a million options, and the database keeps
    # the escalation's report whatever is chosen.
    report = file_report(staff_tokyo, categories=("physical_attack",))
    notification = Notification.objects.filter(escalation__report=report).first()
    page = client_for(admin, language="en").get(
        f"/admin/incidents/notification/{notification.pk}/change/"
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert report.reference in html
    assert 'name="report"' not in html

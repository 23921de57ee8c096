"""Care for a reporter who asked for support, and the safety of escalation e-mails."""

import pytest
from django.core import mail

from incidents.models import EscalationRule, Notification
from outbox.models import Email
from outbox.services import email_deliver, email_resend
from tests.helpers import client_for, file_report


@pytest.fixture
def report(staff_tokyo):
    return file_report(staff_tokyo, categories=("verbal_abuse",), support_requested=True)


def test_the_reporter_sees_her_request_was_received_and_the_follow_up(demo, report, staff_tokyo):
    care = demo["care"]
    response = client_for(care, language="en").post(
        f"/incidents/{report.reference}/support/", {"note": "Met her; she takes tomorrow off."}
    )
    assert response.status_code == 302
    page = client_for(staff_tokyo, language="en").get(f"/incidents/{report.reference}/")
    text = page.content.decode()
    assert "Your request for support was received." in text
    assert "Met her; she takes tomorrow off." in text and "CARE-0001" in text


@pytest.mark.parametrize(
    ("person", "sees"), [("supervisor.tokyo", True), ("manager", False), ("legal", False)]
)
def test_the_follow_up_is_for_her_supervisors_and_staff_care_only(demo, report, person, sees):
    client_for(demo["care"]).post(
        f"/incidents/{report.reference}/support/", {"note": "Private care note."}
    )
    page = (
        client_for(demo[person], language="en")
        .get(f"/incidents/{report.reference}/")
        .content.decode()
    )
    assert ("Private care note." in page) is sees


def test_staff_care_reads_only_reports_asking_for_support(demo, staff_tokyo):
    other = file_report(staff_tokyo, categories=("verbal_abuse",))
    care = client_for(demo["care"])
    assert care.get(f"/incidents/{other.reference}/").status_code == 404


def test_others_cannot_record_a_follow_up(demo, report, staff_osaka):
    response = client_for(staff_osaka).post(
        f"/incidents/{report.reference}/support/", {"note": "x"}
    )
    assert response.status_code == 404


def test_user_text_cannot_inject_mail_headers(staff_tokyo):
    EscalationRule.objects.create(
        name_ja="悪意\r\nBcc: attacker@example.com",
        name_en="Evil\r\nBcc: attacker@example.com",
        min_severity="low",
        recipient_roles=["manager"],
    )
    report = file_report(staff_tokyo, categories=("other",), narrative="x\r\nBcc: a@b.example")
    notification = Notification.objects.get(
        escalation__rule__name_en__startswith="Evil", channel="email"
    )
    email_deliver(notification.outbox_email_id)
    (message,) = mail.outbox
    assert message.bcc == [] and "\n" not in message.subject and "\r" not in message.subject
    assert message.to == ["manager@example.com"]
    assert report.reference in message.subject


def test_an_admin_resends_a_failed_email(staff_tokyo, django_capture_on_commit_callbacks):
    report = file_report(staff_tokyo, categories=("physical_attack",))
    notification = Notification.objects.filter(escalation__report=report, channel="email").first()
    Email.objects.filter(pk=notification.outbox_email_id).update(status="failed", attempts=6)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email_resend(email=notification.outbox_email)
    email = Email.objects.get(pk=notification.outbox_email_id)
    assert (email.status, len(callbacks)) == ("pending", 1)
    assert email_deliver(email.pk) == "sent"
    assert len(mail.outbox) == 1


def test_staff_care_does_not_see_who_the_candidate_is(demo, staff_tokyo):
    report = file_report(
        staff_tokyo,
        categories=("verbal_abuse",),
        support_requested=True,
        candidate_id_entered="SR90000001",
        candidate_name="木村 拓也",
    )
    page = client_for(demo["care"], language="en").get(f"/incidents/{report.reference}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "木村 拓也" not in text and "SR90000001" not in text
    own = (
        client_for(staff_tokyo, language="en")
        .get(f"/incidents/{report.reference}/")
        .content.decode()
    )
    assert "木村 拓也" in own

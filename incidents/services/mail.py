"""E-mails from the portal about reports: in the recipient's language, a reference and a
link, never the narrative or a candidate's personal data (e-mail is not a safe place for
them). Each is an outbox row written in the transaction of the change it tells of; the
outbox delivers it (outbox/services.py)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from accounts.models import User
from accounts.policy import approver_ids
from outbox.models import Email
from outbox.services import email_enqueue

from ..models import Decision, IncidentReport, InformationRequest


def portal_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _report_url(report: IncidentReport) -> str:
    return portal_url(reverse("incidents:detail", kwargs={"reference": report.reference}))


def information_request_email(request: InformationRequest) -> Email | None:
    """Tell the reporter that a reviewer asked her a question (she answers in the portal)."""
    reporter = request.report.reporter
    return email_enqueue(
        key=f"information-request:{request.pk}",
        to=reporter.email,
        language=reporter.language,
        template="information_request",
        context={
            "reference": request.report.reference,
            "url": _report_url(request.report),
            "user": reporter,
        },
    )


def customer_service_email(decision: Decision) -> Email | None:
    """Tell customer service of a complaint found legitimate: the reference of each report
    and the center, never the narrative or the candidate's data. Without
    CUSTOMER_SERVICE_EMAIL nothing is sent: the timeline still records the routing."""
    reports = decision.case_file.candidate.reports.select_related("center").order_by("pk")
    return email_enqueue(
        key=f"customer-service:{decision.pk}",
        to=settings.CUSTOMER_SERVICE_EMAIL,
        language=settings.LANGUAGE_CODE,
        template="customer_service",
        context={"references": [(r.reference, r.center.code) for r in reports if r.reference]},
    )


def approval_request_emails(decision: Decision, proposer: User) -> list[Email | None]:
    """Tell every manager but the proposer that a decision waits for a second person
    (the two-person rule): the case file's link, nothing of its content."""
    managers = User.objects.filter(is_active=True, pk__in=approver_ids()).exclude(pk=proposer.pk)
    url = portal_url(reverse("cases:detail", kwargs={"case_file_id": decision.case_file_id}))
    return [
        email_enqueue(
            key=f"approval-request:{decision.pk}:{manager.pk}",
            to=manager.email,
            language=manager.language,
            template="approval_request",
            context={
                "case_file": decision.case_file_id,
                "outcome": decision.get_outcome_display,
                "url": url,
                "user": manager,
            },
        )
        for manager in managers.order_by("pk")
    ]

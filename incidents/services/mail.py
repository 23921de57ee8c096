"""E-mails from the portal: in the recipient's language, a reference and a link, never the
narrative or a candidate's personal data (e-mail is not a safe place for them)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User

from ..models import Decision, InformationRequest


def send_email(
    *, to: str, language: str, template: str, context: dict, message_id: str | None = None
) -> None:
    """Render ``emails/<template>_subject.txt``, ``.txt`` and ``.html`` in ``language`` and
    send them. Subjects are built from references and rule names only, so no user-typed text
    can reach a header; whitespace is folded, and Django refuses newlines in headers."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    headers = {"Message-ID": message_id} if message_id else None
    message = EmailMultiAlternatives(subject, text, to=[to], headers=headers)
    message.attach_alternative(html, "text/html")
    message.send()


def send_to_user(user: User, template: str, context: dict) -> None:
    send_email(to=user.email, language=user.language, template=template, context=context)


def portal_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def information_request_deliver(request_id: int) -> bool:
    """E-mail the reporter that a reviewer asked a question. At most once: the row is locked,
    and a request already e-mailed is skipped (a retried or duplicated task sends nothing)."""
    with transaction.atomic():
        request = (
            InformationRequest.objects.select_for_update()
            .select_related("report__reporter")
            .filter(pk=request_id)
            .first()
        )
        if request is None or request.emailed_at is not None:
            return False
        report = request.report
        if report.reporter.email:
            url = portal_url(reverse("incidents:detail", kwargs={"reference": report.reference}))
            send_to_user(
                report.reporter,
                "information_request",
                {"reference": report.reference, "url": url, "user": report.reporter},
            )
        request.emailed_at = timezone.now()
        request.save(update_fields=["emailed_at"])
    return True


def customer_service_deliver(decision_id: int) -> bool:
    """Tell customer service of a complaint found legitimate: the reference of each report
    and the center, never the narrative or the candidate's data. Once (the row is locked and
    marked). Without CUSTOMER_SERVICE_EMAIL nothing is sent: the timeline still records it."""
    address = settings.CUSTOMER_SERVICE_EMAIL
    with transaction.atomic():
        decision = Decision.objects.select_for_update().filter(pk=decision_id).first()
        if decision is None or decision.routed_at is not None or not address:
            return False
        reports = decision.case_file.candidate.reports.select_related("center").order_by("pk")
        send_email(
            to=address,
            language=settings.LANGUAGE_CODE,
            template="customer_service",
            context={"references": [(r.reference, r.center.code) for r in reports if r.reference]},
        )
        decision.routed_at = timezone.now()
        decision.save(update_fields=["routed_at"])
    return True

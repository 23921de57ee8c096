"""Celery tasks: thin wrappers that take ids and call a service (each safe to run twice)."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings

from .services.decisions import decisions_expire_due
from .services.escalation import DeliveryFailed, escalations_sweep, notification_deliver
from .services.mail import customer_service_deliver, information_request_deliver

# E-mails whose row marks them sent: retried with exponential backoff and jitter on a broken
# or unreachable SMTP server (EMAIL_TIMEOUT bounds a hung one); the sweep catches the rest.
RETRY_ON_SMTP_ERRORS = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY_ON_SMTP_ERRORS)
def send_information_request(request_id: int) -> bool:
    return information_request_deliver(request_id)


@shared_task
def expire_restrictions() -> int:
    """Expire refusals of testing whose end has passed (beat, every quarter of an hour)."""
    return decisions_expire_due()


@shared_task(
    bind=True,
    autoretry_for=(DeliveryFailed,),
    retry_backoff=settings.ESCALATION_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=None,  # the row counts attempts and stops at ESCALATION_MAX_ATTEMPTS
)
def deliver_notification(self, notification_id: int) -> str:
    return notification_deliver(notification_id)


@shared_task
def sweep_escalations() -> dict:
    """Every minute (beat): re-queue pending e-mails, raise overdue escalations."""
    return escalations_sweep()


@shared_task(**RETRY_ON_SMTP_ERRORS)
def route_to_customer_service(decision_id: int) -> bool:
    return customer_service_deliver(decision_id)

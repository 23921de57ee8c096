"""Celery tasks: thin wrappers that take ids and call a service (each safe to run twice)."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from .services.decisions import decisions_expire_due
from .services.mail import information_request_deliver


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def send_information_request(request_id: int) -> bool:
    return information_request_deliver(request_id)


@shared_task
def expire_restrictions() -> int:
    """Expire refusals of testing whose end has passed (beat, every quarter of an hour)."""
    return decisions_expire_due()

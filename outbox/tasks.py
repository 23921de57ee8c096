"""Celery tasks of the outbox: thin wrappers around its services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from .services import emails_deliver, outbox_sweep


@shared_task
def send_emails(email_ids: list[int]) -> dict:
    """One attempt each; a failed one is retried by the sweep, never by Celery (one owner)."""
    return emails_deliver(email_ids)


@shared_task
def sweep_outbox() -> dict:
    """Every minute (beat): queue what is due, probe a server that was unreachable."""
    return outbox_sweep()

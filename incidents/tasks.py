"""Celery tasks: thin wrappers that take ids and call a service (each safe to run twice).
E-mails are the outbox's (outbox/tasks.py)."""

from __future__ import annotations

from celery import shared_task

from .services.decisions import decisions_expire_due
from .services.escalation import escalations_sweep
from .services.retention import retention_apply


@shared_task
def expire_restrictions() -> int:
    """Expire refusals of testing whose end has passed (beat, every quarter of an hour)."""
    return decisions_expire_due()


@shared_task
def sweep_escalations() -> dict:
    """Every minute (beat): raise overdue escalations to the next level."""
    return escalations_sweep()


@shared_task
def apply_retention() -> dict:
    """Each night (beat): anonymise and purge what is past its retention period."""
    return retention_apply()

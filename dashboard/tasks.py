"""Celery tasks of the dashboard: thin wrappers around its services, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .services import monthly_summaries_send


@shared_task
def send_monthly_summary() -> int:
    """Beat, mornings of a month's first week: the summary on its first working day."""
    return len(monthly_summaries_send(today=timezone.localdate()))

"""Reads of the outbox: how much mail has not left, and for how long."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from .models import Email, EmailStatus


@dataclass(frozen=True)
class OutboxState:
    pending: int
    oldest_pending_seconds: int | None
    late: int  # pending for longer than OUTBOX_ALERT_AFTER_SECONDS
    failed: int
    uncertain: int

    @property
    def alert_minutes(self) -> int:
        return max(1, settings.OUTBOX_ALERT_AFTER_SECONDS // 60)

    @property
    def needs_attention(self) -> bool:
        return bool(self.late or self.failed or self.uncertain)

    def as_json(self) -> dict:
        return {
            "ok": not self.needs_attention,
            "pending": self.pending,
            "oldest_pending_seconds": self.oldest_pending_seconds,
            "late": self.late,
            "failed": self.failed,
            "uncertain": self.uncertain,
        }


def outbox_state() -> OutboxState:
    """One query over the unsent rows (the partial index ``outbox_email_unsent``)."""
    now = timezone.now()
    late_before = now - timedelta(seconds=settings.OUTBOX_ALERT_AFTER_SECONDS)
    pending = Q(status=EmailStatus.PENDING)
    figures = Email.objects.exclude(status=EmailStatus.SENT).aggregate(
        pending=Count("pk", filter=pending),
        oldest=Min("created_at", filter=pending),
        late=Count("pk", filter=pending & Q(created_at__lt=late_before)),
        failed=Count("pk", filter=Q(status=EmailStatus.FAILED)),
        uncertain=Count("pk", filter=Q(status=EmailStatus.UNCERTAIN)),
    )
    oldest = figures["oldest"]
    return OutboxState(
        pending=figures["pending"],
        oldest_pending_seconds=int((now - oldest).total_seconds()) if oldest else None,
        late=figures["late"],
        failed=figures["failed"],
        uncertain=figures["uncertain"],
    )

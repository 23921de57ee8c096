"""Notices to reporters: written with the timeline event they tell of, in its transaction;
read when she opens the report or marks them all read."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User

from ..models import IncidentReport, NoticeKind, ReporterNotice, TimelineEvent


def notice_for_event(event: TimelineEvent) -> ReporterNotice | None:
    """The notice to the reporter that ``event`` calls for, if any: only kinds her own report
    page shows her (NoticeKind), never what she did herself, and one unread notice per report
    and kind (two questions before she looks are one reason to look, not two)."""
    report = event.report
    if report is None or event.kind not in NoticeKind.values:
        return None
    if event.actor_id is not None and event.actor_id == report.reporter_id:
        return None
    waiting = ReporterNotice.objects.filter(
        recipient_id=report.reporter_id, report=report, kind=event.kind, read_at=None
    )
    if waiting.exists():
        return None
    return ReporterNotice.objects.create(
        recipient_id=report.reporter_id, report=report, kind=event.kind
    )


def notices_mark_read(*, recipient: User, report: IncidentReport | None = None) -> int:
    """Mark ``recipient``'s unread notices read: those of ``report`` when she opens it, or all
    of them. Returns how many were unread."""
    unread: QuerySet[ReporterNotice] = ReporterNotice.objects.filter(
        recipient=recipient, read_at=None
    )
    if report is not None:
        unread = unread.filter(report=report)
    return unread.update(read_at=timezone.now())

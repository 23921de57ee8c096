"""What the portal tells a reporter about her own reports: a reviewer's question, the review
starting, the report closed... only what her own report page's timeline already shows her."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .reports import IncidentReport
from .timeline import EventKind


class NoticeKind(models.TextChoices):
    """What a notice tells, as the code of the timeline event it comes from (each one of
    REPORTER_VISIBLE_EVENTS: never reviewers' notes, corrections or decisions), translated
    when shown, so that she reads it in the language of her page."""

    INFORMATION_REQUESTED = EventKind.INFORMATION_REQUESTED, _("A reviewer asked you a question")
    REPORT_UNDER_REVIEW = EventKind.REPORT_UNDER_REVIEW, _("The review of your report started")
    REPORT_CLOSED = EventKind.REPORT_CLOSED, _("Your report was closed")
    ESCALATED = EventKind.ESCALATED, _("Your report was passed on to those who act on it")
    SUPPORT_FOLLOW_UP = EventKind.SUPPORT_FOLLOW_UP, _("Your request for support was followed up")


class ReporterNotice(models.Model):
    """One thing that happened to a reporter's report and that she has not looked at yet.

    Its own small table rather than timeline events read against a "seen up to" marker: the
    navbar asks on every page how many are unread, and here that is one count on a partial
    index holding only unread rows, whereas the timeline would need a join across her reports
    and their events. Written only by services.notices.notice_for_event, in the transaction
    of the event it tells of."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reporter_notices"
    )
    report = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("notice"), max_length=40, choices=NoticeKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice to a reporter")
        verbose_name_plural = _("notices to reporters")
        indexes = [
            # The navbar's count, "is one of this kind already waiting", and marking a report's
            # notices read: all on unread rows only, which stay few however many are read.
            models.Index(
                fields=["recipient", "report"],
                condition=Q(read_at__isnull=True),
                name="reporter_notice_unread",
            ),
            # Her notice page, newest first.
            models.Index(fields=["recipient", "-created_at"], name="reporter_notice_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.get_kind_display()}"

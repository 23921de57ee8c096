"""The outbox: every e-mail the portal sends is first a row here, written in the transaction
of the change it tells of, and delivered from that row until it is sent, refused for good,
or given up after the retry window. The other apps know what to say; only this one knows
how mail leaves (DESIGN.md §5: nothing may be lost)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    # The server stopped answering after it had received the whole message: it may have
    # accepted it. Sending it again blindly is how one e-mail became six, so a person
    # decides (the admin's "send again").
    UNCERTAIN = "uncertain", _("Maybe delivered")
    FAILED = "failed", _("Failed")


class AttemptOutcome(models.TextChoices):
    SENT = "sent", _("Sent")
    TEMPORARY = "temporary", _("Temporary failure")
    UNREACHABLE = "unreachable", _("Server unreachable")
    PERMANENT = "permanent", _("Refused for good")
    UNCERTAIN = "uncertain", _("No answer after the message was sent")


class Email(models.Model):
    # What the e-mail is about, such as "notification:42": enqueuing the same key twice
    # gives the one row, so a retried transaction or a double click sends one e-mail.
    key = models.CharField(_("about"), max_length=200, unique=True)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    # The same Message-ID on every attempt, so a receiving system can tell a resend.
    message_id = models.CharField(_("Message-ID"), max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # Retried for OUTBOX_RETRY_WINDOW_SECONDS from then (written, or last sent again by hand).
    retrying_since = models.DateTimeField(_("retried since"), default=timezone.now)
    # When a task for it was last put on the queue, so the sweep does not queue it twice.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_outcome = models.CharField(
        _("last outcome"), max_length=12, choices=AttemptOutcome.choices, blank=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            # The sweep's question: what is due now?
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outbox_email_due",
            ),
            # The banner's and /healthz's: what did not leave?
            models.Index(
                fields=["status", "created_at"],
                condition=~Q(status="sent"),
                name="outbox_email_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.to} ({self.status})"

    @property
    def needs_a_person(self) -> bool:
        return self.status in (EmailStatus.FAILED, EmailStatus.UNCERTAIN)


class DeliveryAttempt(models.Model):
    email = models.ForeignKey(Email, on_delete=models.CASCADE, related_name="attempts_log")
    at = models.DateTimeField(_("at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=12, choices=AttemptOutcome.choices)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.email_id} {self.at:%Y-%m-%d %H:%M:%S} {self.outcome}"

"""Escalation: rules that decide who must hear of a report at once, the escalations they
raise, and the notifications that carry them (DESIGN.md §5). Nothing may be lost: the rows
are written in the transaction of the change that triggers them, e-mails as outbox rows
that the outbox delivers until they are sent or a person must act (outbox/services.py)."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from policy.models import Category, Severity, full_history, localized

from .candidates import CaseFile
from .reports import IncidentReport


@pghistory.track(*full_history())
class EscalationRule(models.Model):
    """When a report meets any condition set here, the recipients are told (a rule with no
    condition never fires by itself: it serves as another rule's next level). Edited in
    Django admin."""

    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Conditions: any one that is set and holds fires the rule.
    min_severity = models.CharField(
        _("at least this severity"), max_length=10, choices=Severity.choices, blank=True
    )
    any_categories = models.ManyToManyField(
        Category, blank=True, related_name="+", verbose_name=_("any of these behaviours")
    )
    on_injury = models.BooleanField(_("someone was injured"), default=False)
    on_police = models.BooleanField(_("the police were called"), default=False)
    on_support = models.BooleanField(_("the reporter asked for support"), default=False)
    on_advice = models.BooleanField(_("the reporter asked for advice (borderline)"), default=False)
    repeat_count = models.PositiveSmallIntegerField(
        _("the candidate has at least this many reports"), null=True, blank=True
    )
    repeat_days = models.PositiveSmallIntegerField(
        _("within this many days"), null=True, blank=True
    )
    # Recipients
    recipient_roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices),
        default=list,
        blank=True,
        verbose_name=_("roles told"),
        help_text=_(
            "Supervisors and staff-care contacts of the report's center; "
            "managers and legal everywhere."
        ),
    )
    recipient_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("people told")
    )
    external_emails = models.TextField(
        _("external contacts (e-mail)"),
        blank=True,
        help_text=_("One address a line, such as outside counsel."),
    )
    ack_minutes = models.PositiveIntegerField(
        _("acknowledge within (minutes)"), null=True, blank=True, help_text=_("Empty: no deadline.")
    )
    next_level = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("if not acknowledged in time, escalate to"),
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(repeat_count__isnull=True) | Q(repeat_days__isnull=False),
                name="escalation_rule_repeat_has_days",
            )
        ]

    def __str__(self) -> str:
        return self.name  # in the reader's language: admin lists show rules by it

    @property
    def name(self) -> str:
        return localized(self, "name")[0]

    @property
    def is_repeat_rule(self) -> bool:
        return self.repeat_count is not None

    def external_addresses(self) -> list[str]:
        return [line.strip() for line in self.external_emails.splitlines() if line.strip()]


@pghistory.track(*full_history())
class Escalation(models.Model):
    report = models.ForeignKey(
        IncidentReport,
        on_delete=models.PROTECT,
        related_name="escalations",
        verbose_name=_("report"),
    )
    case_file = models.ForeignKey(
        CaseFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations",
        verbose_name=_("case file"),
    )
    rule = models.ForeignKey(
        EscalationRule,
        on_delete=models.PROTECT,
        related_name="escalations",
        verbose_name=_("escalation rule"),
    )
    # The escalation this one raised to the next level, when nobody acknowledged it in time.
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next",
        verbose_name=_("raised from"),
    )
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    ack_deadline = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    ack_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        indexes = [
            # The sweep (services.escalation.escalations_sweep): open escalations past their
            # deadline. And the inbox's order (selectors.escalations.WalkedCards): open
            # escalations walked by deadline, then by age, so that a page of cards stops after
            # its rows instead of sorting every open escalation (they pile up with the years
            # where nobody acknowledges them).
            models.Index(
                fields=["ack_deadline", "created_at", "id"],
                condition=Q(acknowledged_at__isnull=True),
                name="escalation_open_deadline",
            ),
            # The API's escalation list (api/views/escalations.py), newest first: walked from
            # the newest end instead of sorting every escalation ever raised.
            models.Index(fields=["-created_at", "-id"], name="escalation_recent"),
            # The inbox (selectors.escalations): an incident's open escalations and the nearest
            # of their deadlines, the order of its cards; the "For information" tab's cards
            # that still wait for someone else. Only open rows: they stay few however many
            # years of acknowledged ones pile up.
            models.Index(
                fields=["report", "ack_deadline"],
                condition=Q(acknowledged_at__isnull=True),
                name="escalation_open_by_report",
            ),
        ]
        constraints = [
            # A report escalates once per rule; a candidate crosses a repeat threshold once.
            models.UniqueConstraint(
                fields=["report", "rule"],
                condition=Q(previous__isnull=True),
                name="escalation_once_per_report_and_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.rule}"


class RepeatEscalation(models.Model):
    """The one time a candidate crossed a repeat rule's threshold (so managers hear of it
    once, not at every later report)."""

    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(EscalationRule, on_delete=models.PROTECT, related_name="+")
    escalation = models.OneToOneField(Escalation, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("repeat-candidate escalation")
        verbose_name_plural = _("repeat-candidate escalations")
        constraints = [
            models.UniqueConstraint(fields=["case_file", "rule"], name="repeat_escalation_once")
        ]

    def __str__(self) -> str:
        return f"{self.case_file_id} · {self.rule_id}"


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("In the portal")


# Its incident is its escalation's, kept beside it for the counts, not history of its own.
@pghistory.track(*full_history(), exclude=["report"])
class Notification(models.Model):
    escalation = models.ForeignKey(
        Escalation,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("escalation"),
    )
    # The escalation's incident, kept on the notification so that the bell and the inbox
    # count incidents from notification_unsettled_report alone: probing each notification's
    # escalation for it was most of the bell's time for a manager told of thousands (issue
    # 12). The database writes it (the trigger notification_report_of_escalation), whatever
    # an insert says. A report with escalations cannot be deleted (Escalation.report
    # protects it): nothing to do here, and no index for a deletion to look up.
    report = models.ForeignKey(
        IncidentReport,
        on_delete=models.DO_NOTHING,
        db_index=False,
        related_name="+",
        verbose_name=_("report"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=NotificationChannel.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Settled: set on every notification of an escalation when anyone acknowledges it
    # (services.escalation.escalation_acknowledge), so that an unsettled notification is
    # exactly one its recipient must still act on.
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # An e-mail notification is delivered by the outbox, which keeps its status and attempts:
    # one kind of row, one retry owner, for every e-mail the portal sends.
    outbox_email = models.OneToOneField(
        "outbox.Email",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("e-mail"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The navbar bell and the inbox's "To act on" tab (selectors.escalations.
            # escalations_to_act_on): the viewer's unsettled notifications, with their
            # incidents for the counts (_to_act_on_counted, read from the index alone).
            # Acknowledging an escalation settles every one of its notifications, so this
            # holds only what still waits for someone, however many years of escalations
            # there are.
            models.Index(
                fields=["recipient", "escalation"],
                include=["report"],
                condition=Q(read_at__isnull=True, recipient__isnull=False),
                name="notification_unsettled_report",
            ),
            # The API's list of the escalations she was told of in the portal
            # (api.selectors.escalation_notifications_for), newest first: a page read in
            # order, where every one she was ever told of was sorted (a manager is told of
            # most escalations: 36,000 at 200,000 reports, 160 ms).
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                condition=Q(channel="portal"),
                name="notification_portal_recent",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["escalation", "recipient", "channel"],
                condition=Q(recipient__isnull=False),
                name="notification_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["escalation", "email", "channel"],
                condition=Q(recipient__isnull=True),
                name="notification_once_per_address",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(email=""),
                name="notification_has_recipient",
            ),
        ]
        triggers = [
            # The report beside the escalation is the escalation's, whatever an insert says
            # (a CHECK cannot read another table; code written before the column, still
            # running while the migration lands, leaves it out).
            pgtrigger.Trigger(
                name="notification_report_of_escalation",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("escalation_id", "report_id"),
                func=pgtrigger.Func(
                    "NEW.report_id := (SELECT report_id FROM incidents_escalation"
                    " WHERE id = NEW.escalation_id); RETURN NEW;"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.escalation_id} → {self.recipient_id or self.email} ({self.channel})"


@pghistory.track(*full_history())
class SupportFollowUp(models.Model):
    """The care given to a reporter who asked for support: when, by whom, what."""

    report = models.ForeignKey(
        IncidentReport, on_delete=models.PROTECT, related_name="support_follow_ups"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("follow-up"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support follow-up")
        verbose_name_plural = _("support follow-ups")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report} {self.created_at:%Y-%m-%d}"

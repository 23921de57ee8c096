"""Escalation (DESIGN.md §5): rules evaluated in the transaction of the change that triggers
them, notifications written as rows there too, e-mails delivered by Celery from those rows,
and a sweep that re-queues what is pending and raises what nobody acknowledged in time."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import transaction
from django.db.models import Q, Value
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.policy import recipient_ids
from outbox.services import OutgoingEmail, emails_enqueue
from policy.models import Category, Severity

from ..models import (
    RECORD_STATUSES,
    CaseFile,
    Escalation,
    EscalationRule,
    EventKind,
    IncidentReport,
    Notification,
    NotificationChannel,
    RepeatEscalation,
)
from .mail import portal_url
from .timeline import record_event, record_events, timeline_event

logger = logging.getLogger(__name__)


def rule_fires(rule: EscalationRule, report: IncidentReport, category_ids: set[int]) -> bool:
    """Any condition that is set and holds fires the rule (the repeat count is checked by
    the caller, which knows the candidate's history). ``rule`` comes from
    :func:`_active_rules`, which read its behaviours with it."""
    if rule.min_severity and Severity(report.severity).rank >= Severity(rule.min_severity).rank:
        return True
    if category_ids.intersection(rule.category_ids):
        return True
    return (
        (rule.on_injury and report.injury)
        or (rule.on_police and report.police_called)
        or (rule.on_support and report.support_requested)
        or (rule.on_advice and report.advice_requested)
    )


def _active_rules() -> list[EscalationRule]:
    """The active rules with the ids of their behaviours (``category_ids``), in one query
    rather than one for the rules and one for each of their many-to-many relations; read
    afresh every time (an administrator's change applies to the next report), by a statement
    compiled once (_active_rules_sql)."""
    return list(EscalationRule.objects.raw(*_active_rules_sql()))


@functools.cache
def _active_rules_sql() -> tuple[str, tuple]:
    """Django's SQL of the active rules, compiled once per process: it never changes, and
    building the queryset took three times what running it does, in every submission."""
    rules = EscalationRule.objects.filter(active=True).annotate(
        category_ids=ArrayAgg(
            "any_categories__id",
            filter=Q(any_categories__isnull=False),
            default=Value([]),
        )
    )
    return rules.query.sql_with_params()


def _repeat_threshold_crossed(
    rule: EscalationRule, report: IncidentReport, *, unwritten: bool = False
) -> bool:
    """Whether the candidate has the rule's count of records in its days. ``unwritten``: the
    report is a record whose row its submission writes later (report_submit), counted here."""
    if not rule.is_repeat_rule or report.candidate_id is None:
        return False
    since = timezone.now() - timedelta(days=rule.repeat_days)
    count = IncidentReport.objects.filter(
        candidate_id=report.candidate_id, status__in=RECORD_STATUSES, submitted_at__gte=since
    ).count()
    return count + (1 if unwritten else 0) >= rule.repeat_count


# What _raise writes: the rule, the report, its case file, and the escalation this one is
# raised from (None for a first escalation).
PendingEscalation = tuple[EscalationRule, IncidentReport, CaseFile | None, Escalation | None]


def _recipients(pending: list[tuple[EscalationRule, IncidentReport]]) -> list[list[User]]:
    """The people each rule of ``pending`` tells about its report: its roles (as the
    capability policy reads them for the report's center), its named users; never the
    reporter. One query per distinct set of roles and center, one for the named users of all
    the rules, and one for all the users."""
    role_ids: dict[tuple[tuple[str, ...], int], set[int]] = {}
    named: dict[int, set[int]] = {}
    for rule_id, user_id in EscalationRule.recipient_users.through.objects.filter(
        escalationrule_id__in={rule.pk for rule, _report in pending}
    ).values_list("escalationrule_id", "user_id"):
        named.setdefault(rule_id, set()).add(user_id)
    wanted: list[set[int]] = []
    for rule, report in pending:
        roles = (tuple(rule.recipient_roles), report.center_id)
        if roles not in role_ids:
            role_ids[roles] = recipient_ids(rule.recipient_roles, report.center_id)
        user_ids = role_ids[roles] | named.get(rule.pk, set())
        user_ids.discard(report.reporter_id)
        wanted.append(user_ids)
    everyone = set().union(*wanted)
    active = (
        {user.pk: user for user in User.objects.filter(pk__in=everyone, is_active=True)}
        if everyone
        else {}
    )
    return [[active[pk] for pk in sorted(user_ids) if pk in active] for user_ids in wanted]


def escalate_report(
    *,
    report: IncidentReport,
    by: User | None,
    categories: Iterable[Category] | None = None,
    submitted_now: bool = False,
) -> list[Escalation]:
    """Evaluate the rules for ``report``; write escalations, notifications and timeline
    events. Call inside the transaction of the change (submission, a raised severity): a
    rollback leaves nothing. Then, once the report has its reference, the e-mails:
    :func:`escalations_email`. ``categories`` are the report's, when the caller has them
    at hand (a submission has just read them); ``submitted_now`` says that the report became
    a record in this transaction, so no rule can have escalated it yet, and that its row is
    written after the rules (report_submit): the repeat rules count it themselves."""
    if categories is None:
        category_ids = set(report.categories.values_list("pk", flat=True))
    else:
        category_ids = {category.pk for category in categories}
    fired = []
    for rule in _active_rules():
        repeat = _repeat_threshold_crossed(rule, report, unwritten=submitted_now)
        if repeat or rule_fires(rule, report, category_ids):
            fired.append((rule, repeat))
    if not fired:
        return []
    # e.g. a severity raised at triage after the report already escalated by some rules:
    # one query for all of them (the partial unique index escalation_once_per_report_and_rule
    # answers it). A draft never escalated: nothing to ask at its submission.
    escalated_by = (
        set()
        if submitted_now
        else set(
            Escalation.objects.filter(report=report, previous__isnull=True).values_list(
                "rule_id", flat=True
            )
        )
    )
    case_file = report.case_file
    pending, repeats = [], []
    for rule, repeat in fired:
        if rule.pk in escalated_by:
            continue
        if repeat and RepeatEscalation.objects.filter(case_file=case_file, rule=rule).exists():
            continue  # managers hear of a repeat candidate once
        pending.append((rule, report, case_file, None))
        repeats.append(repeat)
    raised = _raise(pending, by)
    RepeatEscalation.objects.bulk_create(
        RepeatEscalation(case_file=case_file, rule=escalation.rule, escalation=escalation)
        for escalation, repeat in zip(raised, repeats, strict=True)
        if repeat
    )
    return raised


def escalations_email(escalations: list[Escalation]) -> None:
    """Write the e-mail (an outbox row) of each e-mail notification of ``escalations``, in
    the transaction that raised them (one INSERT for all, already marked queued), and queue
    them all with one publish once it commits. The notifications are those :func:`_raise`
    wrote with them, at hand: nothing is read again."""
    notifications = [
        notification
        for escalation in escalations
        for notification in escalation.notifications.all()
        if notification.channel == NotificationChannel.EMAIL
        and notification.outbox_email_id is None
    ]
    if not notifications:
        return
    emails = emails_enqueue(
        (_escalation_email(notification) for notification in notifications),
        send_on_commit=True,
    )
    for notification, email in zip(notifications, emails, strict=True):
        notification.outbox_email = email
    Notification.objects.bulk_update(notifications, ["outbox_email"])


def _raise(pending: list[PendingEscalation], by: User | None) -> list[Escalation]:
    """Write the escalations of ``pending`` (rule, report, case file, the escalation raised
    from), a notification for each person and address told, and the timeline events: one
    INSERT for the escalations and one for all their notifications, however many."""
    if not pending:
        return []
    now = timezone.now()
    escalations = Escalation.objects.bulk_create(
        Escalation(
            report=report,
            case_file=case_file,
            rule=rule,
            previous=previous,
            created_at=now,
            ack_deadline=now + timedelta(minutes=rule.ack_minutes) if rule.ack_minutes else None,
        )
        for rule, report, case_file, previous in pending
    )
    recipients = _recipients([(rule, report) for rule, report, _file, _previous in pending])
    notifications = []
    for escalation, users in zip(escalations, recipients, strict=True):
        # Each carries its escalation's incident, for the bell's and the inbox's counts.
        of = {"escalation": escalation, "report_id": escalation.report_id}
        for user in users:
            notifications.append(Notification(**of, recipient=user, channel="portal"))
            if user.email:
                notifications.append(Notification(**of, recipient=user, channel="email"))
        for address in escalation.rule.external_addresses():
            notifications.append(Notification(**of, email=address, channel="email"))
    Notification.objects.bulk_create(notifications)
    # What escalations_email writes the e-mails of, kept with each escalation as if
    # prefetched: its notifications are not read back.
    told: dict[int, list[Notification]] = {escalation.pk: [] for escalation in escalations}
    for notification in notifications:
        told[notification.escalation.pk].append(notification)
    for escalation in escalations:
        escalation._prefetched_objects_cache = {"notifications": told[escalation.pk]}
    record_events(
        [
            timeline_event(
                EventKind.ESCALATED_NEXT_LEVEL if escalation.previous else EventKind.ESCALATED,
                actor=by,
                report=escalation.report,
                case_file=escalation.case_file,
                details={"rule": escalation.rule.pk},  # named at display in the reader's language
            )
            for escalation in escalations
        ]
    )
    return escalations


def _escalation_email(notification: Notification) -> OutgoingEmail:
    """The e-mail of one notification, in the recipient's language: the reference, the
    center, the severity, the rule and links, never the narrative or the candidate."""
    escalation = notification.escalation
    report = escalation.report
    context = {
        "reference": report.reference,
        "center": report.center.code,
        "severity": Severity(report.severity).label,  # lazy: rendered in the recipient's language
        "rule_ja": escalation.rule.name_ja,
        "rule_en": escalation.rule.name_en,
        "overdue": escalation.previous_id is not None,
        "deadline": escalation.ack_deadline,
        "url": portal_url(reverse("escalations:inbox") + f"?escalation={escalation.pk}"),
        "report_url": portal_url(
            reverse("incidents:detail", kwargs={"reference": report.reference})
        ),
        "user": notification.recipient,
    }
    recipient = notification.recipient
    return OutgoingEmail(
        key=f"notification:{notification.pk}",
        to=recipient.email if recipient else notification.email,
        language=recipient.language if recipient else settings.LANGUAGE_CODE,
        template="escalation",
        context=context,
    )


def escalations_sweep() -> dict[str, int]:
    """Every minute (beat): raise to the next level, once, every escalation past its
    deadline that nobody acknowledged. (Its e-mails are the outbox's to deliver.)"""
    now = timezone.now()
    raised = 0
    while True:
        with transaction.atomic():
            overdue = list(
                Escalation.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("rule__next_level", "report__center", "case_file")
                .filter(acknowledged_at__isnull=True, ack_deadline__lt=now, next__isnull=True)
                .filter(rule__next_level__isnull=False)
                .order_by("pk")[:100]
            )
            escalations_email(
                _raise(
                    [
                        (
                            escalation.rule.next_level,
                            escalation.report,
                            escalation.case_file,
                            escalation,
                        )
                        for escalation in overdue
                    ],
                    None,
                )
            )
            raised += len(overdue)
        if len(overdue) < 100:
            return {"raised": raised}


def escalation_acknowledge(*, escalation: Escalation, by: User, note: str = "") -> Escalation:
    """One acknowledgement answers for everyone told: the escalation is closed and every
    recipient's notification of it settled, in one transaction (the bell counts unsettled
    notifications, selectors.escalations)."""
    with transaction.atomic():
        escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
        if escalation.acknowledged_at is not None:
            return escalation
        escalation.acknowledged_at = timezone.now()
        escalation.acknowledged_by = by
        escalation.ack_note = note.strip()
        escalation.save(update_fields=["acknowledged_at", "acknowledged_by", "ack_note"])
        _notifications_settle(escalation)
        record_event(
            EventKind.ESCALATION_ACKNOWLEDGED,
            actor=by,
            report=escalation.report,
            case_file=escalation.case_file,
            note=note.strip(),
        )
    return escalation


def _notifications_settle(escalation: Escalation) -> None:
    """Every notification of ``escalation``, whoever it went to and by whichever channel,
    settled at its acknowledgement. The row lock on the escalation (taken by the caller)
    keeps a second acknowledgement from settling them again at another time."""
    Notification.objects.filter(escalation=escalation, read_at=None).update(
        read_at=escalation.acknowledged_at
    )

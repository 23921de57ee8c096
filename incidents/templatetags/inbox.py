"""The escalation inbox's cards written in Python, one tag for the page: a manager's page of
25 incidents holds some 80 escalations and 250 people told of them, and each variable,
filter, condition, {% url %} and {% csrf_token %} a template resolves on each of those lines
was most of the page's time (issue 12). The words every card repeats are translated once."""

from __future__ import annotations

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext

from harassment_portal.html import conditional_escape, format_html
from outbox.models import EmailStatus

from .portal import severity_badge
from .timeline import Clock

register = template.Library()

# The placeholder reverse() fills once per page, replaced by each card's or line's value.
_ID = "2147483647"


def _url(name: str, value: str = _ID) -> str:
    return reverse(name, args=[value]).replace(value, "{}")


class _CardWriter:
    def __init__(self, context, tab: str):
        self.tab = tab
        self.recipients: dict[tuple, SafeString] = {}
        self.csrf_token = get_token(context["request"])
        self.when = Clock(get_format("SHORT_DATETIME_FORMAT"))
        self.report_url = _url("incidents:detail", "CH-0000-000000")
        self.case_file_url = _url("cases:detail")
        self.acknowledge_url = _url("escalations:acknowledge")
        self.words = {
            "overdue": gettext("Overdue"),
            "undelivered": gettext("E-mail undelivered"),
            "raised": gettext("Not acknowledged in time"),
            "open": gettext("Not acknowledged yet"),
            "in_portal": gettext("In the portal"),
            "email": gettext("E-mail"),
            "acknowledge": gettext("Acknowledge"),
            "case_file": gettext("Open the case file"),
            "note": gettext("Note (optional)"),
        }

    def card(self, card) -> SafeString:
        report = card.report
        words = self.words
        if card.opens_report:
            reference = format_html(
                '<a class="fw-semibold" href="{}">{}</a>',
                self.report_url.format(report.reference),
                report.reference,
            )
        else:
            reference = format_html('<span class="fw-semibold">{}</span>', report.reference)
        badges = [severity_badge(report.severity)] if card.reads_in_full else []
        if card.overdue:
            badges.append(
                format_html(
                    '<span class="badge text-bg-danger" data-overdue>{}</span>', words["overdue"]
                )
            )
        if card.undelivered:
            badges.append(
                format_html(
                    '<span class="badge text-bg-warning" data-undelivered>{}</span>',
                    words["undelivered"],
                )
            )
        deadline = ""
        if card.next_deadline:
            deadline = format_html(
                '<div class="small {}" data-deadline="{}">{}</div>',
                "text-danger fw-semibold" if card.overdue else "text-muted",
                template_localtime(card.next_deadline).isoformat(),
                gettext("acknowledge by %(deadline)s")
                % {"deadline": self.when(card.next_deadline)},
            )
        footer = ""
        if card.case_file:
            footer = format_html(
                '<div class="card-footer small"><a href="{}">{}</a></div>',
                self.case_file_url.format(card.case_file.pk),
                words["case_file"],
            )
        return format_html(
            '<article class="card mb-3{}" data-card="{}" data-reference="{}"'
            ' aria-labelledby="card-{}">'
            '<div class="card-header d-flex flex-wrap justify-content-between gap-2">'
            '<h2 class="h6 mb-0" id="card-{}">{} · {} {}</h2>{}</div>'
            '<ul class="list-group list-group-flush">{}</ul>{}</article>',
            " border-danger" if card.overdue else "",
            self.tab,
            report.reference,
            report.pk,
            report.pk,
            reference,
            report.center.code,
            _joined(badges, " "),
            deadline,
            _joined([self.line(line) for line in card.escalations]),
            footer,
        )

    def line(self, line) -> SafeString:
        escalation = line.escalation
        words = self.words
        badges = []
        if escalation.previous_id:
            badges.append(
                format_html('<span class="badge text-bg-danger">{}</span>', words["raised"])
            )
        if line.overdue:
            badges.append(
                format_html('<span class="badge text-bg-danger">{}</span>', words["overdue"])
            )
        when = gettext("raised %(when)s") % {"when": self.when(escalation.created_at)}
        if escalation.ack_deadline and not escalation.acknowledged_at:
            when += " · " + gettext("acknowledge by %(deadline)s") % {
                "deadline": self.when(escalation.ack_deadline)
            }
        if escalation.acknowledged_at:
            acknowledged = gettext("Acknowledged %(when)s by %(who)s") % {
                "when": self.when(escalation.acknowledged_at),
                "who": escalation.acknowledged_by.staff_code,
            }
            if escalation.ack_note:
                acknowledged += f": {escalation.ack_note}"
            state = format_html(
                '<div class="small text-success mt-1" data-acknowledged>'
                '<i class="bi bi-check2-circle" aria-hidden="true"></i> {}</div>',
                acknowledged,
            )
        else:
            state = format_html(
                '<div class="small text-warning-emphasis mt-1">{}</div>', words["open"]
            )
        told = len(line.recipients)
        form = ""
        if line.for_me:
            form = format_html(
                '<form method="post" action="{}" class="mt-2" novalidate>'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<label class="form-label small" for="ack-note-{}">{}</label>'
                '<textarea class="form-control form-control-sm mb-2" name="note" id="ack-note-{}"'
                ' rows="2" maxlength="5000"></textarea>'
                '<button type="submit" class="btn btn-sm btn-primary">{}</button></form>',
                self.acknowledge_url.format(escalation.pk),
                self.csrf_token,
                escalation.pk,
                words["note"],
                escalation.pk,
                words["acknowledge"],
            )
        return format_html(
            '<li class="list-group-item" data-escalation="{}"{}>'
            '<div class="d-flex flex-wrap justify-content-between gap-2">'
            '<div><span class="fw-semibold">{}</span> {}</div>'
            '<div class="small text-muted">{}</div></div>{}'
            '<details class="small mt-1"><summary>{}</summary>'
            '<ul class="list-unstyled mb-0 mt-1">{}</ul></details>{}</li>',
            escalation.pk,
            " data-for-me" if line.for_me else "",
            escalation.rule.name,
            _joined(badges, " "),
            when,
            state,
            ngettext("%(counter)s person told", "%(counter)s people told", told)
            % {"counter": told},
            _joined([self.recipient(recipient) for recipient in line.recipients]),
            form,
        )

    def recipient(self, recipient) -> SafeString:
        # The same few managers and legal contacts are told of most escalations, reached the
        # same ways: each row is written once per page.
        key = (
            recipient.person.pk if recipient.person else None,
            recipient.address,
            recipient.in_portal,
            recipient.email_status,
        )
        if key not in self.recipients:
            self.recipients[key] = self._recipient(recipient)
        return self.recipients[key]

    def _recipient(self, recipient) -> SafeString:
        person = recipient.person
        who = f"{person.display_name} ({person.staff_code})" if person else recipient.address
        badges = []
        if recipient.in_portal:
            badges.append(
                format_html(
                    '<span class="badge text-bg-light border">{}</span>', self.words["in_portal"]
                )
            )
        if recipient.email_status:
            if recipient.undelivered:
                style = "text-bg-warning"
            elif recipient.email_status == EmailStatus.SENT:
                style = "text-bg-success"
            else:
                style = "text-bg-light border"
            badges.append(
                format_html(
                    '<span class="badge {}" data-email-status="{}">{}: {}</span>',
                    style,
                    recipient.email_status,
                    self.words["email"],
                    recipient.email_status_label,
                )
            )
        return format_html("<li data-recipient>{}: {}</li>", who, _joined(badges, " "))


def _joined(parts: list, separator: str = "") -> SafeString:
    # Each part is markup already written here: joined, not formatted again.
    return SafeString(separator.join(map(conditional_escape, parts)))


@register.simple_tag(takes_context=True)
def inbox_cards(context, cards, tab: str) -> SafeString:
    """Each card of one page of the inbox (selectors.escalations.inbox_cards): the incident,
    its escalations, who was told of each (on demand: a <details> with their count), and the
    form to acknowledge those she was told of."""
    writer = _CardWriter(context, tab)
    return _joined([writer.card(card) for card in cards], "\n")

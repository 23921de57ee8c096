"""The monthly summary e-mail: on the first working day of a month, each manager gets the
headline figures of the month before, in her language, with a link to the dashboard. Never
a name, a reference or a narrative: figures only (e-mail is not a safe place for records,
DESIGN.md §8).

Sent through the outbox (outbox/services.py), one row per month and recipient under the key
``monthly-summary:<YYYY-MM>:<user id>``: a beat that fires twice, or two workers that run the
task at once, find the row already there and send nothing more."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import User
from accounts.policy import monthly_summary_recipient_ids
from harassment_portal.routers import reporting_reads
from incidents.services.mail import portal_url
from outbox.models import Email
from outbox.services import email_enqueue, emails_send_on_commit

from .figures import Figures, hours
from .forms import months_before
from .selectors import DashboardFilters, Period, dashboard_centers, escalation_figures
from .selectors import repeat_candidates as repeat_candidate_counts

# Days in a month's first week when offices in Japan are closed: the public holidays among
# them (New Year's Day, Constitution Memorial Day, Greenery Day, Children's Day, Culture Day)
# and the 2nd and 3rd of January, when banks and most companies are closed too. No other
# public holiday falls in a first week, and a substitute holiday (振替休日, the day after one
# that fell on a Sunday) never decides the first working day: before it there is always a
# working day (1 May or 1 November is then a Friday) or it is already closed (2 January).
CLOSED_DAYS = {(1, 1), (1, 2), (1, 3), (5, 3), (5, 4), (5, 5), (11, 3)}


def _is_working_day(day: date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in CLOSED_DAYS


def first_working_day(year: int, month: int) -> date:
    day = date(year, month, 1)
    while not _is_working_day(day):
        day += timedelta(days=1)
    return day


def headline_figures(user: User, month: date) -> dict:
    """The month's figures over every center ``user`` oversees."""
    centers = tuple(dashboard_centers(user).values_list("pk", flat=True))
    filters = DashboardFilters(period=Period(first=month, last=month), center_ids=centers)
    with reporting_reads():  # from the read replica if there is one, as the page's
        whole = Figures(filters).whole
        escalations = escalation_figures(filters).values()
        repeat = repeat_candidate_counts(filters)
    return {
        "reports": whole["reports"],
        "critical": whole["severity_critical"],
        "high": whole["severity_high"],
        "support_requested": whole["asked_support"],
        "support_awaiting": whole["asked_support"] - whole["support_followed_up"],
        "advice_requested": whole["asked_advice"],
        "triage_median": hours(whole["triage_median"]),
        "decision_median": hours(whole["decision_median"]),
        "escalations_open": sum(row["open"] for row in escalations),
        "deadlines_missed": sum(row["missed"] for row in escalations),
        "repeat_two": repeat["two_or_more"],
        "repeat_three": repeat["three_or_more"],
    }


def monthly_summaries_send(*, today: date) -> list[Email]:
    """On the first working day of ``today``'s month, the previous month's summary to every
    active recipient with an address (none on another day). Safe to run any number of times:
    the outbox keeps one row per key."""
    if today != first_working_day(today.year, today.month):
        return []
    month = months_before(today.replace(day=1), 1)
    query = urlencode({"start": f"{month:%Y-%m}", "end": f"{month:%Y-%m}"})
    url = portal_url(f"{reverse('dashboard:dashboard')}?{query}")
    recipients = User.objects.filter(is_active=True, pk__in=monthly_summary_recipient_ids())
    with transaction.atomic():
        emails = [
            email_enqueue(
                key=f"monthly-summary:{month:%Y-%m}:{user.pk}",
                to=user.email,
                language=user.language,
                template="monthly_summary",
                context={
                    "user": user,
                    "month": month,
                    "figures": headline_figures(user, month),
                    "url": url,
                },
            )
            for user in recipients.order_by("pk")
        ]
        emails_send_on_commit(emails)
    return [email for email in emails if email is not None]

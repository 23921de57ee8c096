"""What waits for a user, for her home page: one line per kind of work she has, each with the
count the page it links to shows (the same selectors count both)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.policy import capabilities_of

from ..models import ReportStatus
from .escalations import bell_counted, may_use_inbox
from .reports import my_reports
from .review import OPEN_WORK, ReviewFilters, shown_count, status_counts
from .support import SUPPORT_COUNT_LIMIT, follows_up_support, support_waiting_count


@dataclass(frozen=True)
class Waiting:
    key: str
    label: Promise
    count: int
    url: str
    icon: str
    # How the count reads where it is not the number itself ("10,000+" where the count
    # stopped, see review.status_counts).
    reads_as: str = ""

    @property
    def shown(self) -> str:
        return self.reads_as or str(self.count)


def waiting_for(user: User) -> list[Waiting]:
    can = capabilities_of(user)
    waiting: list[Waiting] = []
    if may_use_inbox(user):
        count, capped = bell_counted(user)
        waiting.append(
            Waiting(
                "escalations",
                _("Escalations to acknowledge"),
                count,
                reverse("escalations:inbox"),
                "bi-bell",
                # Counted among a limit of open escalations (see OPEN_COUNT_LIMIT): more wait.
                _("%(count)s+") % {"count": intcomma(count)} if capped else "",
            )
        )
    if can.reviews:
        counts = status_counts(user, ReviewFilters())
        count, shown = shown_count(sum(counts[status] for status in OPEN_WORK))
        waiting.append(
            Waiting(
                "review",
                _("Reports to review (open work)"),
                count,
                reverse("review:queue"),
                "bi-inboxes",
                shown,
            )
        )
    if follows_up_support(user):
        count, shown = shown_count(support_waiting_count(user), SUPPORT_COUNT_LIMIT)
        waiting.append(
            Waiting(
                "support",
                _("Support requests waiting for a follow-up"),
                count,
                reverse("escalations:support"),
                "bi-heart",
                shown,
            )
        )
    if can.files_reports:
        waiting.append(
            Waiting(
                "drafts",
                _("Your drafts not submitted yet"),
                my_reports(user, status=ReportStatus.DRAFT).count(),
                reverse("incidents:mine") + f"?status={ReportStatus.DRAFT}",
                "bi-pencil",
            )
        )
    return waiting

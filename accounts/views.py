from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from incidents.selectors.cases import pending_approvals

from .policy import Capabilities, capabilities_of, memberships_of
from .services import user_set_language


@dataclass(frozen=True)
class Action:
    label: Promise
    description: Promise
    url_name: str
    icon: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


REPORT_INCIDENT = Action(
    _("Report an incident"),
    _("File a report within minutes of the event: save a draft and finish it later if you need."),
    "incidents:new",
    "bi-pencil-square",
)
MY_REPORTS = Action(
    _("My reports"),
    _("Your reports and drafts, their status, and addenda."),
    "incidents:mine",
    "bi-list-check",
)
REVIEW_QUEUE = Action(
    _("Review queue"),
    _("New reports of your centers, the most severe and the oldest first."),
    "review:queue",
    "bi-inboxes",
)
CASE_FILES = Action(
    _("Case files"),
    _("Each candidate's history across centers, decisions and restrictions."),
    "cases:list",
    "bi-folder2-open",
)
CHECKIN = Action(
    _("Check-in lookup"),
    _("Is a candidate refused testing? Enter the exact candidate ID."),
    "checkin:lookup",
    "bi-person-check",
)
READ_POLICY = Action(
    _("Read the harassment policy"),
    _("What counts as customer harassment, with examples, and what the company does."),
    "policy:current",
    "bi-journal-text",
)
POLICY_HISTORY = Action(
    _("Policy versions"),
    _("Every version of the policy, and what changed between two of them."),
    "policy:versions",
    "bi-clock-history",
)
ADMIN = Action(
    _("Administration"),
    _("Edit and publish the policy; manage categories, test centers, users and roles."),
    "admin:index",
    "bi-gear",
)
CHANGE_PASSWORD = Action(
    _("Change your password"),
    _("Choose a new password for your account."),
    "password_change",
    "bi-key",
)


def actions_for(can: Capabilities) -> list[Action]:
    """The home page's actions, in the order the user needs them: reviewing first for those
    who review, then filing, the desk, the policy, running the portal."""
    actions: list[Action] = []
    if can.reviews:
        actions += [REVIEW_QUEUE, CASE_FILES]
    if can.files_reports:
        actions += [REPORT_INCIDENT, MY_REPORTS]
    if can.looks_up_at_checkin:
        actions.append(CHECKIN)
    if can.administers:
        actions.insert(0, ADMIN)
    actions.append(READ_POLICY)
    if can.reads_policy_history:
        actions.append(POLICY_HISTORY)
    return actions


@login_not_required
@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, which also remembers the choice on the account: e-mails to this
    user are written in it."""
    response = set_language(request)
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response


def home(request: HttpRequest) -> HttpResponse:
    can = capabilities_of(request.user)
    context = {
        "memberships": memberships_of(request.user),
        "actions": [*actions_for(can), CHANGE_PASSWORD],
        "approvals": pending_approvals(request.user) if can.approves_decisions else None,
    }
    return render(request, "accounts/home.html", context)

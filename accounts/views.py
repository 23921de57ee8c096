from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from incidents.selectors.cases import pending_approvals

from .models import Role, User
from .selectors import access_of, memberships_of


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

# The actions each role's home page offers, in the order a user of that role needs them.
ACTIONS_BY_ROLE: dict[str, tuple[Action, ...]] = {
    Role.STAFF: (REPORT_INCIDENT, MY_REPORTS, CHECKIN, READ_POLICY),
    Role.SUPERVISOR: (REVIEW_QUEUE, CASE_FILES, REPORT_INCIDENT, MY_REPORTS, CHECKIN, READ_POLICY),
    Role.MANAGER: (REVIEW_QUEUE, CASE_FILES, CHECKIN, READ_POLICY, POLICY_HISTORY),
    Role.LEGAL: (REVIEW_QUEUE, CASE_FILES, CHECKIN, READ_POLICY, POLICY_HISTORY),
    Role.ADMIN: (ADMIN, READ_POLICY, POLICY_HISTORY),
}


@login_not_required
@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, which also remembers the choice on the account: e-mails to this
    user are written in it."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response


def home(request: HttpRequest) -> HttpResponse:
    access = access_of(request.user)
    actions: list[Action] = []
    for role in access.ordered_roles:
        actions += [action for action in ACTIONS_BY_ROLE[role] if action not in actions]
    if not actions:
        actions.append(READ_POLICY)
    actions.append(CHANGE_PASSWORD)
    context = {
        "memberships": memberships_of(request.user),
        "actions": actions,
        "approvals": pending_approvals(request.user) if access.has(Role.MANAGER) else None,
    }
    return render(request, "accounts/home.html", context)

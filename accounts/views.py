from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from incidents.selectors.cases import pending_approvals
from incidents.selectors.escalations import BellCount
from incidents.selectors.home import waiting_for
from mfa.gate import second_factor_begin

from .forms import LanguageForm
from .policy import Capabilities, capabilities_of, memberships_of
from .services import user_choose_language, user_language_at_sign_in


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
SUPPORT_REQUESTS = Action(
    _("Support requests"),
    _("Staff who asked for support after an incident, those waiting for a follow-up first."),
    "escalations:support",
    "bi-heart",
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
    if can.cares_for_reporters:
        actions.append(SUPPORT_REQUESTS)
    if can.administers:
        actions.insert(0, ADMIN)
    actions.append(READ_POLICY)
    if can.reads_policy_history:
        actions.append(POLICY_HISTORY)
    return actions


@login_not_required
@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """The navbar's language switch: the language of the pages on this device, never the
    account's (a shared tablet must not decide the language of someone else's e-mails; she
    sets that on her profile)."""
    return set_language(request)


class SignInView(LoginView):
    """Django's sign-in, which also makes the language she signs in with that of her e-mails
    while she has not chosen one on her profile."""

    def form_valid(self, form):
        response = super().form_valid(form)
        user_language_at_sign_in(user=form.get_user(), language=get_language())
        # The password was right; a second factor may still be owed (mfa/): then the factor
        # step comes first, and where she was going after it.
        if second_factor_begin(self.request):
            return redirect_to_login(self.get_success_url(), reverse("mfa:verify"))
        return response


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Who she is in the portal (read-only: an administrator changes it) and the language of
    her e-mails and notifications (hers to set)."""
    if request.method == "POST":
        form = LanguageForm(request.POST)
        if form.is_valid():
            user_choose_language(user=request.user, language=form.cleaned_data["language"])
            messages.success(request, _("Your language for e-mails and notifications is saved."))
            return redirect("profile")
    else:
        form = LanguageForm(initial={"language": request.user.language})
    context = {"form": form, "memberships": memberships_of(request.user)}
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)


def home(request: HttpRequest) -> HttpResponse:
    can = capabilities_of(request.user)
    context = {
        "memberships": memberships_of(request.user),
        "actions": [*actions_for(can), CHANGE_PASSWORD],
        "approvals": pending_approvals(request.user) if can.approves_decisions else None,
        # What waits for her, with the counts of the pages it links to.
        "waiting": waiting_for(request.user),
    }
    # Her escalations line is the navbar bell's count: shown there without counting again.
    escalations = [item for item in context["waiting"] if item.key == "escalations"]
    if escalations:
        context["bell"] = BellCount(escalations[0].count, capped=bool(escalations[0].reads_as))
    return render(request, "accounts/home.html", context)

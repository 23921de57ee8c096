"""The escalation inbox: what managers, legal and other recipients must look at now."""

from __future__ import annotations

from dataclasses import replace

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from policy.models import Severity

from ..forms import center_filter
from ..selectors.escalations import (
    BellCount,
    EscalationFilters,
    InboxTab,
    escalation_inbox,
    get_escalation_to_acknowledge,
    inbox_cards,
    inbox_tab_counts,
)
from ..selectors.support import (
    SupportState,
    follows_up_support,
    support_counts,
    support_request_rows,
    support_requests,
)
from ..services.escalation import escalation_acknowledge
from .review import CountedPaginator

PAGE_SIZE = 25


class InboxFilterForm(forms.Form):
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"),
        choices=[("", gettext_lazy("All")), *Severity.choices],
        required=False,
    )
    center = center_filter()
    overdue = forms.BooleanField(label=gettext_lazy("Only overdue"), required=False)
    # The tab (links above the cards, not a field of the filter bar).
    tab = forms.ChoiceField(
        choices=[(InboxTab.TO_ACT_ON, ""), (InboxTab.FOR_INFORMATION, "")], required=False
    )
    # The escalation an e-mail links to (?escalation=<id>); not shown in the filter bar.
    escalation = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def filters(self) -> EscalationFilters:
        """The filters of the fields that parse; a value that does not is left out."""
        self.is_valid()
        data = self.cleaned_data
        center = data.get("center")
        return EscalationFilters(
            tab=data.get("tab") or InboxTab.TO_ACT_ON,
            severity=data.get("severity") or "",
            center=center.pk if center else None,
            overdue=bool(data.get("overdue")),
            escalation=data.get("escalation"),
        )


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET or None)
    filters = form.filters() if request.GET else EscalationFilters()
    counts = inbox_tab_counts(request.user, filters)
    if not counts.may_use_inbox:
        raise Http404("No escalations.")
    # An e-mail's link opens the tab its incident is in (acknowledged since, perhaps).
    linked = filters.escalation is not None and not form.cleaned_data.get("tab")
    if linked and not counts[InboxTab.TO_ACT_ON]:
        filters = replace(filters, tab=InboxTab.FOR_INFORMATION)
    cards = escalation_inbox(request.user, filters, counts)
    # Each list of cards counts itself (from the tab counts).
    paginator = Paginator(cards, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "cards": inbox_cards(request.user, page.object_list),
        "tab": filters.tab,
        # (tab, label, count, whether the count stopped at its limit)
        "tabs": [
            (InboxTab.TO_ACT_ON, _("To act on"), counts.to_act_on, counts.to_act_on_capped),
            (
                InboxTab.FOR_INFORMATION,
                _("For information"),
                counts.for_information,
                counts.for_information_capped,
            ),
        ],
        "form": form,
        "ack_form": AcknowledgeForm(),
        # The navbar's bell, counted with the tabs (its own query otherwise).
        "bell": BellCount(counts.bell, counts.bell_capped),
    }
    return render(request, "incidents/escalations.html", context)


@require_POST
def acknowledge(request: HttpRequest, escalation_id: int) -> HttpResponse:
    escalation = get_escalation_to_acknowledge(request.user, escalation_id)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        escalation_acknowledge(
            escalation=escalation, by=request.user, note=form.cleaned_data["note"]
        )
        messages.success(
            request,
            _("Escalation of %(reference)s acknowledged.")
            % {"reference": escalation.report.reference},
        )
    return redirect("escalations:inbox")


SUPPORT_STATES = [
    (SupportState.WAITING, gettext_lazy("Waiting for a follow-up")),
    (SupportState.FOLLOWED_UP, gettext_lazy("Followed up")),
    (SupportState.ALL, gettext_lazy("All")),
]


def support_list(request: HttpRequest) -> HttpResponse:
    """The support requests of the centers whose reporters the user cares for or supervises,
    each leading to its support-request page (the report page, for her supervisors)."""
    if not follows_up_support(request.user):
        raise Http404("No support requests.")
    state = request.GET.get("state")
    if state not in dict(SUPPORT_STATES):
        state = SupportState.WAITING
    counts = support_counts(request.user)
    paginator = CountedPaginator(
        support_requests(request.user, state=state), PAGE_SIZE, count=counts[state]
    )
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": support_request_rows(page.object_list),
        "state": state,
        "states": [(value, label, counts[value]) for value, label in SUPPORT_STATES],
    }
    return render(request, "incidents/support_list.html", context)

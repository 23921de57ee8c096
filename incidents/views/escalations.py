"""The escalation inbox: what managers, legal and other recipients must look at now."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from policy.models import Severity

from ..forms import center_filter
from ..selectors.escalations import (
    EscalationFilters,
    escalation_inbox,
    get_escalation_for_user,
    may_use_inbox,
)
from ..services.escalation import escalation_acknowledge

PAGE_SIZE = 25


class InboxFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=[
            ("open", gettext_lazy("Not acknowledged")),
            ("acknowledged", gettext_lazy("Acknowledged")),
            ("all", gettext_lazy("All")),
        ],
        required=False,
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"),
        choices=[("", gettext_lazy("All")), *Severity.choices],
        required=False,
    )
    center = center_filter()
    overdue = forms.BooleanField(label=gettext_lazy("Only overdue"), required=False)
    # The escalation an e-mail links to (?escalation=<id>); not shown in the filter bar.
    escalation = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def filters(self) -> EscalationFilters:
        """The filters of the fields that parse; a value that does not is left out."""
        self.is_valid()
        data = self.cleaned_data
        center = data.get("center")
        return EscalationFilters(
            state=data.get("state") or "open",
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
    if not may_use_inbox(request.user):
        raise Http404("No escalations.")
    form = InboxFilterForm(request.GET or None)
    escalations = escalation_inbox(
        request.user, form.filters() if request.GET else EscalationFilters()
    )
    page = Paginator(escalations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "ack_form": AcknowledgeForm(), "now": timezone.now()}
    return render(request, "incidents/escalations.html", context)


@require_POST
def acknowledge(request: HttpRequest, escalation_id: int) -> HttpResponse:
    escalation = get_escalation_for_user(request.user, escalation_id)
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

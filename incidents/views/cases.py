"""Case files: the list, one candidate's file, its status, decisions on it, and the notice
to the candidate."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.policy import capabilities_of
from accounts.reauth import kept_form, reauthenticated
from audit.forms import DisclosureForm
from audit.selectors import case_file_disclosures
from policy.models import Severity
from policy.selectors import candidate_notice_contacts

from ..forms import ApprovalForm, DecisionForm, MergeForm, NoteForm, center_filter
from ..models import CaseFile, CaseFileStatus, DecisionState, normalise_candidate_id
from ..models.candidates import CASE_FILE_TRANSITIONS
from ..selectors import reportable_categories
from ..selectors.access import (
    can_work_on_case_file,
    may_approve,
    may_review,
)
from ..selectors.cases import (
    CaseFileFilters,
    case_file_accesses,
    case_file_decisions,
    case_file_list_page,
    case_file_page_decisions,
    case_file_page_timeline,
    get_candidate_to_merge,
    get_case_file_for_user,
    is_restriction_in_force,
    merged_candidates,
)
from ..selectors.centers import open_test_centers
from ..services import ReportError
from ..services.cases import candidates_merge, case_file_log_access, case_file_set_status
from ..services.decisions import (
    DecisionError,
    DecisionInvalid,
    decision_approve,
    decision_propose,
    decision_reject,
)
from ..services.errors import CaseFileChanged, CaseFileError
from ..services.triage import note_add
from ..templatetags.fragments import form_fragment_key

PAGE_SIZE = 25
# A case file's timeline shows its newest entries, the whole of it on request (?timeline=all):
# a candidate with 50 reports has some 250 entries, and each line read and written costs.
TIMELINE_FOLDED = 50


class CaseFileFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Candidate ID"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All")), *CaseFileStatus.choices],
        required=False,
    )
    risk = forms.ChoiceField(
        label=gettext_lazy("Risk"),
        choices=[("", gettext_lazy("All")), *Severity.choices],
        required=False,
    )
    restricted = forms.ChoiceField(
        label=gettext_lazy("Restriction in force"),
        choices=[
            ("", gettext_lazy("All")),
            ("yes", gettext_lazy("Yes")),
            ("no", gettext_lazy("No")),
        ],
        required=False,
    )
    center = center_filter()

    def filters(self) -> CaseFileFilters:
        if not self.is_valid():
            return CaseFileFilters()
        data = self.cleaned_data
        restricted = {"yes": True, "no": False}.get(data["restricted"])
        return CaseFileFilters(
            status=data["status"],
            risk=data["risk"],
            restricted=restricted,
            center=data["center"].pk if data["center"] else None,
            candidate_id=normalise_candidate_id(data["q"]),
        )


class CaseFileStatusForm(forms.Form):
    """The moves a case file's page offers: one button per status it may go to, a note."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=CaseFileStatus.choices)
    note = forms.CharField(
        label=gettext_lazy("Note for the timeline"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5_000,
        help_text=gettext_lazy("Closing or reopening the case file needs one: say why."),
    )


# The button for each status a case file may be moved to, and its look.
STATUS_MOVES = {
    CaseFileStatus.UNDER_REVIEW: (gettext_lazy("Start the review"), "btn-primary"),
    CaseFileStatus.CLOSED: (gettext_lazy("Close the case file"), "btn-outline-primary"),
    CaseFileStatus.OPEN: (gettext_lazy("Reopen the case file"), "btn-outline-secondary"),
}


def _require_reviewer(request: HttpRequest) -> None:
    if not may_review(request.user):
        raise Http404("No case files.")


def case_list(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    form = CaseFileFilterForm(request.GET or None)
    page = case_file_list_page(
        request.user,
        form.filters() if request.GET else CaseFileFilters(),
        per_page=PAGE_SIZE,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render(request, "incidents/case_list.html", {"page": page, "form": form})


def case_detail(request: HttpRequest, case_file_id: int) -> HttpResponse:
    case_file = get_case_file_for_user(request.user, case_file_id)
    case_file_log_access(case_file=case_file, user=request.user)
    return render_case_file(request, case_file)


def render_case_file(request, case_file: CaseFile, status: int = 200, **forms_in):
    can = capabilities_of(request.user)

    def approval_form(decision):
        """The approve-or-reject form, for a manager who may decide on this proposal."""
        if decision.state != "proposed" or not may_approve(request.user, decision):
            return None
        if forms_in.get("approval_decision") == decision.pk:
            return forms_in["approval_form"]  # it came back with a problem: as typed
        # Interrupted by the password confirmation: as typed, with the revision she had seen.
        kept = kept_form(request, _approve_url(case_file, decision))
        return ApprovalForm(initial=kept or {"revision": case_file.revision})

    page_decisions = list(case_file_page_decisions(case_file))
    decisions = [(decision, approval_form(decision)) for decision in page_decisions]
    status_moves = []
    if can_work_on_case_file(request.user, case_file):
        status_moves = [
            (status, *STATUS_MOVES[status]) for status in CASE_FILE_TRANSITIONS[case_file.status]
        ]
    timeline, timeline_total = case_file_page_timeline(
        request.user,
        case_file,
        latest=None if request.GET.get("timeline") == "all" else TIMELINE_FOLDED,
    )
    decision_form = forms_in.get("decision_form") or DecisionForm(case_file=case_file)
    # The behaviours and centers it offers, read here (the form would read them as it is
    # drawn): a blank form's assessment and refusal are drawn once per language, behaviours,
    # centers and day (its first day of a refusal is today's) ({% fragment %}).
    categories = list(reportable_categories())
    decision_form.fields["categories"].choices = [(c.code, c.name) for c in categories]
    centers = [(center.code, str(center)) for center in open_test_centers()]
    decision_form.fields["scope_centers"].choices = centers
    # What it may replace, from the decisions the page read (the select would read them again).
    supersedes = decision_form.fields["supersedes"]
    supersedes.choices = [
        ("", supersedes.empty_label),
        *((d.pk, str(d)) for d in page_decisions if d.state == DecisionState.IN_FORCE),
    ]
    behaviours = [(c.pk, c.code, c.name) for c in categories]
    note_form = forms_in.get("note_form") or NoteForm()
    merge_form = forms_in.get("merge_form") or MergeForm()
    status_form = forms_in.get("status_form") or CaseFileStatusForm(
        initial={"revision": case_file.revision}
    )
    context = {
        "case_file": case_file,
        "candidate": case_file.candidate,
        "timeline": timeline,
        "timeline_total": timeline_total,
        "timeline_folded": TIMELINE_FOLDED,
        "decisions": decisions,
        "restrictions": [d for d in page_decisions if is_restriction_in_force(d)],
        "decision_form": decision_form,
        "decision_fragment_key": form_fragment_key(
            decision_form, behaviours, centers, decision_form.fields["starts_on"].initial
        ),
        "note_form": note_form,
        "note_fragment_key": form_fragment_key(note_form),
        "merge_form": merge_form,
        "merge_fragment_key": form_fragment_key(merge_form),
        "status_moves": status_moves,
        "status_form": status_form,
        "status_fragment_key": form_fragment_key(status_form),
        "merged": merged_candidates(case_file),
        "accesses": case_file_accesses(case_file) if can.sees_case_file_access_log else None,
        # The disclosure log and its form, for legal and managers (None for the others).
        "disclosures": case_file_disclosures(request.user, case_file),
        # Not drawn once: it offers the time of the page as the time of the disclosure.
        "disclosure_form": forms_in.get("disclosure_form")
        or DisclosureForm(initial={"recipient_kind": request.GET.get("disclose", "")}),
    }
    return render(request, "incidents/case_detail.html", context, status=status)


def _keep_typed_with_new_revision(request, form, case_file: CaseFile, changed) -> None:
    """The case file changed since the page was shown: what was typed stays, with the
    revision the page now shows, so that once she has read what changed she may post it
    again."""
    case_file.refresh_from_db()
    data = request.POST.copy()
    data["revision"] = case_file.revision
    form.data = data
    form.add_error(None, str(changed))


def _case_file_url(case_file: CaseFile, anchor: str = "") -> str:
    return reverse("cases:detail", kwargs={"case_file_id": case_file.pk}) + anchor


@require_POST
def decision_new(request: HttpRequest, case_file_id: int) -> HttpResponse:
    case_file = get_case_file_for_user(request.user, case_file_id)
    form = DecisionForm(request.POST, case_file=case_file)
    if form.is_valid():
        try:
            decision = decision_propose(
                case_file=case_file,
                by=request.user,
                expected_revision=form.cleaned_data["revision"],
                draft=form.to_draft(),
            )
        except DecisionInvalid as invalid:
            for field, problem in invalid.problems.items():
                form.add_error(field if field in form.fields else None, problem)
        except CaseFileChanged as changed:
            _keep_typed_with_new_revision(request, form, case_file, changed)
        except DecisionError as error:
            form.add_error(None, str(error))
        else:
            if decision.state == "proposed":
                messages.success(
                    request, _("Your proposal was recorded. A manager must approve it.")
                )
            else:
                messages.success(request, _("The decision is recorded and in force."))
            return redirect(_case_file_url(case_file, "#decisions"))
    return render_case_file(
        request, case_file, status=409 if form.non_field_errors() else 422, decision_form=form
    )


def _decide(request: HttpRequest, case_file_id: int, decision_id: int, act, success: str):
    case_file = get_case_file_for_user(request.user, case_file_id)
    decision = case_file.decisions.filter(pk=decision_id).first()
    if decision is None:
        raise Http404("No such decision.")
    form = ApprovalForm(request.POST)
    if form.is_valid():
        try:
            act(
                decision=decision,
                by=request.user,
                reason=form.cleaned_data["reason"],
                expected_revision=form.cleaned_data["revision"],
            )
        except CaseFileChanged as changed:
            _keep_typed_with_new_revision(request, form, case_file, changed)
        except DecisionInvalid as invalid:
            for field, problem in invalid.problems.items():
                form.add_error(field if field in form.fields else None, problem)
        except DecisionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, success)
            return redirect(_case_file_url(case_file, "#decisions"))
    return render_case_file(
        request, case_file, status=422, approval_form=form, approval_decision=decision.pk
    )


def _approve_url(case_file: CaseFile, decision) -> str:
    kwargs = {"case_file_id": case_file.pk, "decision_id": decision.pk}
    return reverse("cases:approve", kwargs=kwargs)


def _case_file_decisions_page(request, case_file_id: int, decision_id: int) -> str:
    return reverse("cases:detail", kwargs={"case_file_id": case_file_id}) + "#decisions"


@require_POST
# Approving puts a refusal of testing or legal action in force: her password again first.
@reauthenticated(form_page=_case_file_decisions_page)
def decision_approve_view(
    request: HttpRequest, case_file_id: int, decision_id: int
) -> HttpResponse:
    return _decide(
        request,
        case_file_id,
        decision_id,
        decision_approve,
        _("Approved: the decision is in force."),
    )


@require_POST
def decision_reject_view(request: HttpRequest, case_file_id: int, decision_id: int) -> HttpResponse:
    return _decide(
        request, case_file_id, decision_id, decision_reject, _("The proposal was rejected.")
    )


@require_POST
def case_status(request: HttpRequest, case_file_id: int) -> HttpResponse:
    # Those who may open the case file may work on it (the service asks the policy again).
    case_file = get_case_file_for_user(request.user, case_file_id)
    form = CaseFileStatusForm(request.POST)
    if form.is_valid():
        try:
            case_file = case_file_set_status(
                case_file=case_file,
                by=request.user,
                status=form.cleaned_data["status"],
                expected_revision=form.cleaned_data["revision"],
                note=form.cleaned_data["note"],
            )
        except CaseFileChanged as changed:
            _keep_typed_with_new_revision(request, form, case_file, changed)
            return render_case_file(request, case_file, status=409, status_form=form)
        except CaseFileError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The case file is now “%(status)s”.")
                % {"status": case_file.get_status_display()},
            )
            return redirect(_case_file_url(case_file, "#status"))
    return render_case_file(request, case_file, status=422, status_form=form)


@require_POST
def case_note(request: HttpRequest, case_file_id: int) -> HttpResponse:
    case_file = get_case_file_for_user(request.user, case_file_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note_add(by=request.user, text=form.cleaned_data["text"], case_file=case_file)
        except ReportError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your note was added."))
            return redirect(_case_file_url(case_file, "#timeline"))
    return render_case_file(request, case_file, status=422, note_form=form)


@require_POST
def case_merge(request: HttpRequest, case_file_id: int) -> HttpResponse:
    case_file = get_case_file_for_user(request.user, case_file_id)
    form = MergeForm(request.POST)
    if form.is_valid():
        source = get_candidate_to_merge(request.user, form.cleaned_data["candidate_id"])
        try:
            # Unknown, or not one of hers: the same answer, so the form reveals no ID.
            if source is None:
                raise ReportError(_("No candidate has this ID."))
            candidates_merge(
                source=source,
                target=case_file.candidate,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ReportError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(source)s was merged into this case file.") % {"source": source.candidate_id},
            )
            return redirect(_case_file_url(case_file))
    return render_case_file(request, case_file, status=422, merge_form=form)


def decision_notice(request: HttpRequest, case_file_id: int, decision_id: int) -> HttpResponse:
    """A printable notice to the candidate, in Japanese and English: the policy's clauses,
    the measure and its period. It names no member of staff (DESIGN.md §8)."""
    case_file = get_case_file_for_user(request.user, case_file_id)
    decision = case_file_decisions(case_file).filter(pk=decision_id).first()
    if decision is None or not decision.has_notice:
        raise Http404("No notice for this decision.")
    case_file_log_access(case_file=case_file, user=request.user, what="notice")
    sections = {s.key: s for s in decision.policy_version.sections.all()}
    context = {
        "decision": decision,
        "candidate": case_file.candidate,
        "categories": list(decision.categories.all()),
        "measures": sections.get("measures"),
        # The company's name, contact and how to contest, each section in its language.
        "contacts": candidate_notice_contacts(),
    }
    return render(request, "incidents/notice.html", context)

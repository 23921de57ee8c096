from __future__ import annotations

import uuid
from contextlib import nullcontext

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import TestCenter
from accounts.policy import capabilities_of
from harassment_portal.keyset import keyset_page

from ..filenames import attachment_disposition
from ..forms import (
    AddendumForm,
    CorrectionForm,
    InformationRequestForm,
    LinkCandidateForm,
    NoteForm,
    ReportForm,
    StatusForm,
    SupportFollowUpForm,
)
from ..models import REPORTER_VISIBLE_EVENTS, IncidentReport, ReportStatus
from ..models.reports import REPORT_TEXT_FIELDS
from ..selectors import (
    SupportRequest,
    can_follow_up_support,
    full_reports,
    get_attachment_for_user,
    get_draft_for_user,
    get_report_for_user,
    get_report_page_for_user,
    get_report_to_follow_up,
    my_reports,
    report_timeline,
    reporting_centers,
    submitted_from_draft,
)
from ..selectors.access import can_triage
from ..selectors.reports import MY_REPORTS_ORDER
from ..services import (
    ReportError,
    ReportIncomplete,
    report_add_addendum,
    report_attach_evidence,
    report_remove_draft_evidence,
    report_save_draft,
    report_submit,
    report_withdraw_draft,
    support_follow_up_add,
)
from ..services.notices import notices_mark_read
from ..services.reports import FormAlreadyUsed
from ..templatetags.fragments import form_fragment_key

PAGE_SIZE = 25


def _require_reporter(request: HttpRequest) -> list[TestCenter]:
    """The centers she files reports for (read once, the form offers them)."""
    # Staff and supervisors file reports for their centers; the menu offers it to no one else.
    centers = (
        list(reporting_centers(request.user)) if capabilities_of(request.user).files_reports else []
    )
    if not centers:
        raise PermissionDenied(_("You need a role in a test center to file a report."))
    return centers


def report_new(request: HttpRequest) -> HttpResponse:
    centers = _require_reporter(request)
    return _report_form(request, draft=None, centers=centers)


def draft_edit(request: HttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    submitted = submitted_from_draft(request.user, draft_id)
    if submitted is not None:  # Back after submitting: the report it became
        return redirect("incidents:detail", reference=submitted.reference)
    return _report_form(request, draft=get_draft_for_user(request.user, draft_id))


# What makes a new form worth keeping as a draft: something the reporter wrote or chose
# beyond what the form fills in for her (the center, the time, "as suggested").
SUBSTANCE_FIELDS = (
    *REPORT_TEXT_FIELDS,
    "location",
    "online_url",
    "exam",
    "candidate_id_entered",
    "candidate_name",
    "candidate_contact",
    "categories",
    "evidence",
)


def has_substance(data: dict) -> bool:
    return any(data.get(name) for name in SUBSTANCE_FIELDS)


def _report_form(
    request: HttpRequest, draft: IncidentReport | None, centers: list[TestCenter] | None = None
) -> HttpResponse:
    """New report and draft editing share this: save what was typed as a draft, keep the
    acceptable evidence, then submit if asked. Whatever goes wrong, nothing typed is lost:
    the form comes back with everything in it, and the draft keeps what was valid."""
    if request.method != "POST":
        form = ReportForm(instance=draft, user=request.user, centers=centers)
        return _render_form(request, form, draft)

    form = ReportForm(
        request.POST, request.FILES, instance=draft, user=request.user, centers=centers
    )
    if not form.is_valid():
        if request.FILES:
            messages.warning(
                request,
                _(
                    "The files you chose were not saved yet: "
                    "fix the marked fields and choose them again."
                ),
            )
        return _render_form(request, form, draft, status=422)

    data = form.cleaned_data
    if draft is None and not has_substance(data):
        # An empty form submitted or saved by mistake makes no ghost draft in "My reports".
        form.add_error("narrative", _("Nothing was saved yet: write what happened first."))
        return _render_form(request, form, None, status=422)
    # A submission without files (most posts) saves the draft and submits it in one
    # transaction: one commit, not two. A refused submission rolls back only to the savepoint
    # of report_submit, so the draft stays saved; only a crash (a 500) loses the draft with
    # the submission, and the page keeps what was typed in the tab until the server has it.
    # Evidence is stored in a transaction of its own (its files go if that one fails), so a
    # post with files saves, stores and submits in three.
    submitting = request.POST.get("action") == "submit"
    with transaction.atomic() if submitting and not data["evidence"] else nullcontext():
        return _save_then_submit(request, form, draft, data, submitting=submitting)


def _save_then_submit(
    request: HttpRequest,
    form: ReportForm,
    draft: IncidentReport | None,
    data: dict,
    *,
    submitting: bool,
) -> HttpResponse:
    try:
        report = report_save_draft(
            reporter=request.user,
            form_token=data["form_token"],
            values=data,
            categories=data["categories"],
            report=draft,
        )
    except FormAlreadyUsed as error:
        # What was typed comes back, with a new token: saving it again makes a new draft.
        messages.error(request, str(error))
        if request.FILES:
            messages.warning(request, _("The files you chose were not saved: choose them again."))
        fresh = request.POST.copy()
        fresh["form_token"] = str(uuid.uuid4())
        form = ReportForm(fresh, instance=None, user=request.user)
        return _render_form(request, form, None, status=409)
    except ReportError as error:
        messages.error(request, str(error))
        return _render_form(request, form, draft, status=409)
    if report.is_record:  # the same form posted again after it was submitted
        return redirect("incidents:submitted", reference=report.reference)

    try:
        # No file chosen (most reports): no transaction to lock the draft and count its files.
        _stored, rejected = (
            report_attach_evidence(report=report, files=data["evidence"], by=request.user)
            if data["evidence"]
            else ([], [])
        )
    except ReportError:
        # A concurrent post of the same form (a second tab, a retried request) submitted
        # the draft in the meantime: this post ends where that one did.
        report.refresh_from_db()
        if report.is_record:
            return redirect("incidents:submitted", reference=report.reference)
        raise
    for rejection in rejected:
        form.add_error("evidence", f"{rejection.name}: {rejection.message}")
    if rejected:
        messages.warning(request, _("Your draft is saved, but some files were not accepted."))
        return _render_form(request, form, report, status=422)

    if not submitting:
        messages.success(
            request, _("Your draft is saved. You can finish it later from “My reports”.")
        )
        return redirect("incidents:draft", draft_id=report.public_id)

    try:
        # Saved in this same transaction (no files: see _report_form), the draft is locked and
        # as saved: the submission does not read it, or its categories, again.
        saved_with = None if data["evidence"] else data["categories"]
        report = report_submit(report=report, by=request.user, saved_with=saved_with)
    except ReportIncomplete as incomplete:
        for field, problem in incomplete.problems.items():
            form.add_error(field if field in form.fields else None, problem)
        messages.warning(
            request, _("Your draft is saved. A few things are needed before you submit.")
        )
        return _render_form(request, form, report, status=422)
    except ReportError as error:
        messages.error(request, str(error))
        return _render_form(request, form, report, status=409)
    return redirect("incidents:submitted", reference=report.reference)


def _render_form(request, form: ReportForm, draft: IncidentReport | None, status: int = 200):
    attachments = list(draft.attachments.all()) if draft else []
    urls = draft_urls(draft) if draft else {"autosave_url": reverse("incidents:autosave_new")}
    categories = list(form.fields["categories"].queryset)
    context = {
        "form": form,
        "draft": draft,
        "attachments": attachments,
        "category_severity": form.category_severity,
        "categories": categories,
        "urls": urls,
        "saved_at": saved_at_text(draft) if draft else "",
        # The limits the page checks before anything is sent, read from the settings the
        # server checks with (the server checks again: the page is only a guide).
        "limits": {
            "max_files": settings.EVIDENCE_MAX_FILES,
            "max_mb": settings.EVIDENCE_MAX_MB,
            "attached": len(attachments),
            "text_max": settings.REPORT_TEXT_MAX_CHARS,
        },
        "client_messages": client_messages(),
        "fragment_key": blank_form_key(form, draft, categories),
    }
    return render(request, "incidents/report_form.html", context, status=status)


def blank_form_key(form: ReportForm, draft: IncidentReport | None, categories) -> str | None:
    """The key of the parts of a blank new form that every reporter sees alike ({% fragment %}
    in the template): its language, the behaviours as an administrator last edited them and
    the limits it states. None for a draft or a form that came back (its own values and
    errors), which are drawn in full."""
    if draft is not None:
        return None
    return form_fragment_key(
        form,
        settings.REPORT_TEXT_MAX_CHARS,
        settings.EVIDENCE_MAX_FILES,
        settings.EVIDENCE_MAX_MB,
        [(c.pk, c.code, c.name, c.description, c.examples, c.default_severity) for c in categories],
    )


def draft_urls(report: IncidentReport) -> dict[str, str]:
    """Where the form of a saved draft posts to; a new form switches to these once its
    first autosave made the draft."""
    draft_id = report.public_id
    return {
        "draft_url": reverse("incidents:draft", kwargs={"draft_id": draft_id}),
        "autosave_url": reverse("incidents:draft_autosave", kwargs={"draft_id": draft_id}),
        "upload_url": reverse("incidents:draft_evidence_upload", kwargs={"draft_id": draft_id}),
    }


def saved_at_text(report: IncidentReport) -> str:
    time = formats.time_format(timezone.localtime(report.updated_at), "H:i")
    return _("Saved at %(time)s") % {"time": time}


def client_messages() -> dict[str, str]:
    """The page's script speaks the page's language: its sentences come from here. Those it
    shares with the server's checks are the same messages, so both say the same."""
    return {
        "saving": _("Saving…"),
        "save_failed": _(
            "Could not save just now. What you typed is kept in this tab and will be saved again."
        ),
        "signed_out": _(
            "Your session has ended. What you typed is kept in this tab: sign in again to save it."
        ),
        "sign_in": _("Sign in again"),
        "restored": _("What you typed in this tab before is back in the form."),
        "step": _("Step %(current)s of %(total)s: %(title)s"),
        "file_too_large": _(
            "“%(name)s” is larger than %(limit)s MB. Attach a smaller copy, or give the "
            "file to your supervisor another way."
        ),
        "file_type": _(
            "“%(name)s” is not a photo (JPEG, PNG, HEIC), audio (MP3, M4A, WAV), video (MP4) "
            "or PDF file. Its content was checked, not its name."
        ),
        "file_empty": _(
            "“%(name)s” is empty. Check that it was saved completely, then attach it again."
        ),
        "too_many": _("A report takes at most %(count)d files."),
        "date_future": _("The time of the incident cannot be in the future."),
        "date_early": _("The time of the incident cannot be before the year 2000."),
        "text_long": _(
            "This text is too long: at most %(limit_value)d characters, and it has "
            "%(show_value)d. Shorten it; a long document can be attached as evidence."
        ),
        "uploading": _("Uploading %(name)s…"),
        "upload_failed": _("The upload did not finish. Choose the file again."),
        "check_before_submit": _("Some answers need another look before they can be sent."),
    }


@require_POST
def draft_withdraw(request: HttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    report = get_draft_for_user(request.user, draft_id)
    report_withdraw_draft(report=report, by=request.user)
    messages.success(request, _("The draft was withdrawn."))
    return redirect("incidents:mine")


@require_POST
def draft_evidence_remove(
    request: HttpRequest, draft_id: uuid.UUID, attachment_id: int
) -> HttpResponse:
    """The Remove button posts the whole report form here (its formaction): what was typed
    since the last save is saved first, so removing a file never throws it away."""
    report = get_draft_for_user(request.user, draft_id)
    attachment = get_attachment_for_user(request.user, attachment_id)
    if "form_token" in request.POST:
        form = ReportForm(request.POST, instance=report, user=request.user)
        if not form.is_valid():
            messages.warning(request, _("The file was not removed: fix the marked fields first."))
            return _render_form(request, form, report, status=422)
        data = form.cleaned_data
        report = report_save_draft(
            reporter=request.user,
            form_token=data["form_token"],
            values=data,
            categories=data["categories"],
            report=report,
        )
    if attachment.report_id == report.pk:
        report_remove_draft_evidence(attachment=attachment, by=request.user)
        messages.success(request, _("“%(name)s” was removed.") % {"name": attachment.original_name})
    return redirect("incidents:draft", draft_id=report.public_id)


def report_submitted(request: HttpRequest, reference: str) -> HttpResponse:
    # Every submission lands here. The page says the reference and what she asked for, so
    # it reads those columns of a report she reads in full (get_report_for_user reads the
    # whole report and its relations for the report page), with the same 404.
    report = (
        full_reports(request.user)
        .filter(reference=reference)
        .only("reference", "status", "support_requested", "advice_requested")
        .first()
    )
    if report is None or not report.is_record:
        raise Http404("No such report.")
    return render(request, "incidents/report_submitted.html", {"report": report})


def report_detail(request: HttpRequest, reference: str) -> HttpResponse:
    page = get_report_page_for_user(request.user, reference)
    if isinstance(page, SupportRequest):
        return render_support_request(request, page)
    # What her notices told of is on this page: they are read now (none unless she is its
    # reporter: a notice is only ever its recipient's).
    notices_mark_read(recipient=request.user, report=page)
    return render_report_detail(request, page)


def render_support_request(request, support: SupportRequest, status: int = 200, form=None):
    """The staff-care contact's page: who asked for support and the care given, nothing of
    the incident itself (the selector gives her nothing more to show)."""
    context = {"support": support, "follow_up_form": form or SupportFollowUpForm()}
    return render(request, "incidents/support_request.html", context, status=status)


def render_report_detail(request, report: IncidentReport, status: int = 200, **forms):
    """The report page: what the reporter wrote, and for reviewers their tools. ``forms``
    replaces a blank form with one that came back with a problem."""
    reviewer = can_triage(request.user, report)
    timeline = report_timeline(report)
    if not reviewer:
        timeline = timeline.filter(kind__in=REPORTER_VISIBLE_EVENTS)
    context = {
        "report": report,
        "attachments": list(report.attachments.select_related("addendum")),
        "timeline": timeline,
        "addendum_form": forms.get("addendum_form") or AddendumForm(),
        "is_reporter": report.reporter_id == request.user.pk,
        "questions": report.information_requests.select_related("answer"),
        "reviewer": reviewer,
        "follow_ups": report.support_follow_ups.select_related("by")
        if report.support_requested
        else [],
        "may_follow_up": can_follow_up_support(request.user, report),
        "follow_up_form": forms.get("follow_up_form") or SupportFollowUpForm(),
        "escalated": report.escalations.exists(),
    }
    if reviewer:
        context.update(
            notes=report.notes.select_related("author"),
            status_form=forms.get("status_form") or StatusForm(),
            correction_form=forms.get("correction_form")
            or CorrectionForm(
                initial={"categories": report.category_codes, "severity": report.severity}
            ),
            note_form=forms.get("note_form") or NoteForm(),
            question_form=forms.get("question_form") or InformationRequestForm(),
            link_form=forms.get("link_form") or LinkCandidateForm(),
        )
    return render(request, "incidents/report_detail.html", context, status=status)


@require_POST
def addendum_add(request: HttpRequest, reference: str) -> HttpResponse:
    report = get_report_for_user(request.user, reference)
    form = AddendumForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_report_detail(request, report, status=422, addendum_form=form)
    try:
        _addendum, rejected = report_add_addendum(
            report=report,
            by=request.user,
            text=form.cleaned_data["text"],
            files=form.cleaned_data["evidence"],
        )
    except ReportError as error:
        messages.error(request, str(error))
        return redirect(report_url(report))
    messages.success(
        request, _("Your addendum was added to %(reference)s.") % {"reference": report.reference}
    )
    for rejection in rejected:
        messages.warning(request, f"{rejection.name}: {rejection.message}")
    return redirect(report_url(report) + "#addenda")


def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Evidence leaves only through here: the scoping decides, and the file is sent as a
    download that the browser must not sniff into something executable."""
    attachment = get_attachment_for_user(request.user, attachment_id)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    # Saved under a name that ends in the type detected from its content, hidden characters
    # removed (incidents/filenames.py): the desktop opens it by that extension.
    response["Content-Disposition"] = attachment_disposition(attachment.download_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class MyReportsFilterForm(forms.Form):
    status = forms.ChoiceField(choices=ReportStatus.choices, required=False)


def reports_mine(request: HttpRequest) -> HttpResponse:
    form = MyReportsFilterForm(request.GET)
    status = (form.cleaned_data.get("status") if form.is_valid() else None) or None
    # Paged by cursor along report_reporter_recent: no count of her reports, however many.
    page = keyset_page(
        my_reports(request.user, status=status),
        MY_REPORTS_ORDER,
        per_page=PAGE_SIZE,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    context = {
        "page": page,
        "status": status,
        "statuses": ReportStatus.choices,
    }
    return render(request, "incidents/reports_mine.html", context)


def report_url(report: IncidentReport) -> str:
    if report.is_draft:
        return reverse("incidents:draft", kwargs={"draft_id": report.public_id})
    return reverse("incidents:detail", kwargs={"reference": report.reference})


@require_POST
def support_follow_up(request: HttpRequest, reference: str) -> HttpResponse:
    report = get_report_to_follow_up(request.user, reference)
    form = SupportFollowUpForm(request.POST)
    if not form.is_valid():
        page = get_report_page_for_user(request.user, reference)
        if isinstance(page, SupportRequest):
            return render_support_request(request, page, status=422, form=form)
        return render_report_detail(request, page, status=422, follow_up_form=form)
    support_follow_up_add(report=report, by=request.user, note=form.cleaned_data["note"])
    messages.success(request, _("The follow-up was recorded."))
    return redirect(report_url(report) + "#support")

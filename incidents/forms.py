from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import TestCenter, User
from policy.models import Severity

from .models import (
    Channel,
    Decision,
    DecisionState,
    IncidentReport,
    Legitimacy,
    MannerAssessment,
    Outcome,
    Scope,
    normalise_candidate_id,
    validate_candidate_id,
)
from .models.reports import REPORT_TEXT_FIELDS
from .rules import CLOCK_TOLERANCE, occurred_at_problem
from .selectors import reportable_categories, reporting_centers
from .services import DRAFT_FIELDS
from .services.decisions import DecisionDraft

# What the file picker offers (a tablet offers its camera and recorder); the content is
# checked again on upload (incidents/evidence.py), whatever the picker allowed.
EVIDENCE_ACCEPT = (
    ".jpg,.jpeg,.png,.heic,.heif,.mp3,.m4a,.wav,.mp4,.pdf,image/*,audio/*,video/mp4,application/pdf"
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked later, one by one, by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"multiple": True, "accept": EVIDENCE_ACCEPT})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, category):
        return category.name

    def _check_values(self, value):
        # A code holding a NUL byte names no category, and PostgreSQL refuses to compare it.
        if any("\x00" in str(code) for code in value if code is not None):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": ""}
            )
        return super()._check_values(value)


class CenterChoiceField(forms.ModelChoiceField):
    """A test center among ``centers``, the reporter's as the view read them for the form's
    choices (a center outside them is refused like any unknown choice), without asking the
    database again for the one posted."""

    centers: list[TestCenter] = []

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        for center in self.centers:
            if str(center.pk) == str(value):
                return center
        raise forms.ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


def limit_text(field: forms.CharField) -> None:
    """Hold ``field`` to settings.REPORT_TEXT_MAX_CHARS: the browser stops typing at it, and
    longer text sent anyway comes back in the form with this message."""
    limit = settings.REPORT_TEXT_MAX_CHARS
    field.max_length = limit
    field.widget.attrs["maxlength"] = str(limit)
    field.validators.append(
        MaxLengthValidator(
            limit,
            message=_(
                "This text is too long: at most %(limit_value)d characters, and it has "
                "%(show_value)d. Shorten it; a long document can be attached as evidence."
            ),
        )
    )


class ReportForm(forms.ModelForm):
    """The report as the reporter fills it in. Every field may be left empty in a draft;
    what a submission needs is checked by ``rules.submission_problems``."""

    form_token = forms.UUIDField(widget=forms.HiddenInput)
    categories = CategoryChoiceField(
        queryset=reportable_categories(),
        to_field_name="code",  # the contract: checkbox values are the category codes
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Which behaviours from the policy?"),
    )
    evidence = MultipleFileField(label=_("Evidence"))
    online_url = forms.URLField(
        label=_("address of the post"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("For a post on social media or the internet: its address."),
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        choices=[("", _("As suggested"))] + list(Severity.choices),
        help_text=_("You may raise the suggested severity, not lower it."),
    )

    class Meta:
        model = IncidentReport
        fields = list(DRAFT_FIELDS)  # exactly what a reporter may write on a draft
        field_classes = {"center": CenterChoiceField}
        widgets = {
            "occurred_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "channel": forms.RadioSelect,
            "demand_legitimacy": forms.RadioSelect,
            "demand": forms.Textarea(attrs={"rows": 2}),
            "exact_words": forms.Textarea(attrs={"rows": 2}),
            "narrative": forms.Textarea(attrs={"rows": 6}),
            "staff_response": forms.Textarea(attrs={"rows": 3}),
            "injury_details": forms.Textarea(attrs={"rows": 2}),
            "witnesses": forms.Textarea(attrs={"rows": 2}),
            "severity_reason": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "occurred_at": _("When it began. It cannot be in the future."),
            "location": _("For example: check-in desk, testing room 2, the phone line."),
            "exam": _("If known: the exam taken, or the client (test organiser)."),
            "candidate_id_entered": _(
                "As printed on the admission ticket. Leave empty for an unknown caller."
            ),
            "candidate_name": _("Optional. Personal data: seen only by those who need it."),
            "demand": _("The request itself, in a sentence: a refund, a retest, a name…"),
            "demand_legitimacy": _(
                "The policy values legitimate complaints: it is the way a request is pursued "
                "that can make it harassment."
            ),
            "exact_words": _("Word for word, as far as you remember them."),
            "narrative": _("In order: what the candidate said and did, and what happened."),
            "witnesses": _("Who saw or heard it. Staff codes (such as TKY-0042) are best."),
            "support_requested": _(
                "Your supervisor and the staff-care contact will get in touch with you."
            ),
            "advice_requested": _(
                "For a borderline case: a supervisor will tell you how the policy applies."
            ),
        }

    def __init__(self, *args, user: User, centers: list[TestCenter] | None = None, **kwargs):
        """``centers`` are reporting_centers(user), when the caller has read them already."""
        super().__init__(*args, **kwargs)
        if centers is None:
            centers = list(reporting_centers(user))
        # The choices shown and what a post is checked by, from the centers read once (the
        # queryset would be read again, through a cursor, each time the select is drawn, and
        # once more for the center posted).
        self.fields["center"].queryset = reporting_centers(user)  # never read: see centers
        self.fields["center"].centers = centers
        self.fields["center"].choices = [(center.pk, str(center)) for center in centers]
        if not self.instance.pk and centers:
            self.fields["center"].initial = centers[0].pk
        self.fields["evidence"].help_text = evidence_help_text()
        if self.instance.pk:
            self.fields["form_token"].initial = self.instance.form_token
            self.fields["categories"].initial = [c.code for c in self.instance.categories.all()]
        else:
            self.fields["form_token"].initial = uuid.uuid4()
            # Most reports are filed minutes after the event: start from now, to the minute.
            self.fields["occurred_at"].initial = timezone.localtime().replace(
                second=0, microsecond=0
            )
        self.fields["channel"].choices = list(Channel.choices)
        self.fields["demand_legitimacy"].choices = list(Legitimacy.choices)
        for name in ("channel", "demand_legitimacy"):
            self.fields[name].required = False
        for name in REPORT_TEXT_FIELDS:
            limit_text(self.fields[name])
        # The browser's date picker keeps to the same bounds as the check below.
        self.fields["occurred_at"].widget.attrs["min"] = "2000-01-01T00:00"
        latest = timezone.localtime() + CLOCK_TOLERANCE
        self.fields["occurred_at"].widget.attrs["max"] = latest.strftime("%Y-%m-%dT%H:%M")
        for name in NEEDED_TO_SUBMIT:
            mark_needed(self.fields[name])

    @cached_property
    def category_severity(self) -> dict[str, str]:
        """Each behaviour's default severity, for the page's suggestion (only a page drawn
        needs it: a post that is filed reads no categories for it)."""
        return {c.code: c.default_severity for c in self.fields["categories"].queryset}

    def _get_validation_exclusions(self):
        # The model's own checks of these fields ask the database (a query for the center's
        # existence, one for each CHECK constraint on them) what the form has just checked
        # itself: the center among hers, each text within REPORT_TEXT_MAX_CHARS (which
        # settings hold under the database's limit), the time by occurred_at_problem. Three
        # queries less for every post; the constraints still hold in the database.
        return super()._get_validation_exclusions() | {"center", "occurred_at", *REPORT_TEXT_FIELDS}

    def full_clean(self):
        super().full_clean()
        self._describe_errors()

    def add_error(self, field, error):
        super().add_error(field, error)
        if hasattr(self, "cleaned_data"):  # a view's error after the checks (a submission's)
            self._describe_errors()

    def _describe_errors(self):
        # Each input names its own error messages, so a screen reader reads them with it.
        for name, errors in self.errors.items():
            if name in self.fields:
                field_id = self[name].auto_id
                described = " ".join(f"error_{n}_{field_id}" for n in range(1, len(errors) + 1))
                if self.fields[name].help_text:
                    described += f" {field_id}_helptext"
                self.fields[name].widget.attrs["aria-describedby"] = described

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data.get("occurred_at")
        problem = occurred_at_problem(occurred_at)
        if problem:
            raise forms.ValidationError(problem)
        return occurred_at

    def clean_candidate_id_entered(self):
        candidate_id = normalise_candidate_id(self.cleaned_data.get("candidate_id_entered", ""))
        if candidate_id:
            validate_candidate_id(candidate_id)
        return candidate_id


# What rules.submission_problems always asks for: marked on the form, though a draft may
# be saved without them.
NEEDED_TO_SUBMIT = (
    "occurred_at",
    "center",
    "channel",
    "demand_legitimacy",
    "narrative",
    "categories",
)


def mark_needed(field: forms.Field) -> None:
    """The mark a reporter sees (the legend above the form explains it) and the state a
    screen reader announces. The form has ``novalidate``: saving a draft stays possible."""
    field.widget.attrs.update({"required": True, "aria-required": "true"})
    if field.required:
        return  # crispy marks a field the form itself requires
    field.label = format_html(
        '{}<span class="required-mark text-danger" aria-hidden="true"> *</span>', field.label
    )


def evidence_help_text() -> str:
    return gettext(
        "Photos (JPEG, PNG, HEIC), audio (MP3, M4A, WAV), video (MP4) or PDF; "
        "up to %(count)d files of %(size)d MB each."
    ) % {"count": settings.EVIDENCE_MAX_FILES, "size": settings.EVIDENCE_MAX_MB}


class AddendumForm(forms.Form):
    text = forms.CharField(
        label=_("Add to your report"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Something you remembered, or the answer to a question from your supervisor."),
    )
    evidence = MultipleFileField(label=_("More evidence"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = evidence_help_text()
        limit_text(self.fields["text"])


def center_filter() -> forms.ModelChoiceField:
    """A list filter by test center, named by its code in the query string."""
    return forms.ModelChoiceField(
        label=_("Center"),
        queryset=TestCenter.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All"),
    )


# --- Triage -------------------------------------------------------------------------------


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        help_text=_("Seen by reviewers only, never by the reporter."),
    )


class InformationRequestForm(forms.Form):
    question = forms.CharField(
        label=_("Question for the reporter"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5_000,
        help_text=_("She is told in the portal and by e-mail (the e-mail carries no details)."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("under_review", ""), ("closed", "")], widget=forms.HiddenInput
    )
    note = forms.CharField(
        label=_("How was it resolved?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5_000,
    )


class CorrectionForm(forms.Form):
    categories = CategoryChoiceField(
        queryset=reportable_categories(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        label=_("Behaviours"),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    reason = forms.CharField(
        label=_("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5_000,
    )


class LinkCandidateForm(forms.Form):
    candidate_id = forms.CharField(label=_("Candidate ID"), max_length=40)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5_000
    )

    def clean_candidate_id(self):
        candidate_id = normalise_candidate_id(self.cleaned_data["candidate_id"])
        validate_candidate_id(candidate_id)
        return candidate_id


class MergeForm(LinkCandidateForm):
    """Merge the record with this candidate ID into the case file being viewed."""


# --- Decisions ------------------------------------------------------------------------------


class DecisionForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    demand_legitimacy = forms.ChoiceField(
        label=_("1. Was the demand itself legitimate?"),
        choices=Legitimacy.choices,
        widget=forms.RadioSelect,
    )
    manner = forms.ChoiceField(
        label=_("2. Was the manner socially inappropriate, harming the staff's work?"),
        choices=MannerAssessment.choices,
        widget=forms.RadioSelect,
    )
    categories = CategoryChoiceField(
        queryset=reportable_categories(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Behaviours cited"),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
        required=False,
        help_text=_("The facts and how the policy applies. Name staff by their staff codes."),
    )
    starts_on = forms.DateField(
        label=_("Refused from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Refused until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a refusal without an end, and say why below."),
    )
    indefinite_reason = forms.CharField(
        label=_("Why without an end"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    scope = forms.ChoiceField(
        label=_("Applies to"),
        choices=[("", _("Choose…")), *Scope.choices],
        required=False,
    )
    scope_centers = forms.ModelMultipleChoiceField(
        label=_("Centers"),
        queryset=TestCenter.objects.filter(active=True),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    scope_client = forms.CharField(label=_("Client"), required=False, max_length=200)
    supersedes = forms.ModelChoiceField(
        label=_("Replaces the decision in force"),
        queryset=Decision.objects.none(),
        required=False,
        empty_label=_("None (a new decision)"),
        help_text=_("A decision in force is never edited: a new one replaces it."),
    )

    def __init__(self, *args, case_file=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case_file is not None:
            self.fields["supersedes"].queryset = case_file.decisions.filter(
                state=DecisionState.IN_FORCE
            )
            self.fields["revision"].initial = case_file.revision
            self.fields["starts_on"].initial = timezone.localdate()

    def to_draft(self) -> DecisionDraft:
        data = self.cleaned_data
        return DecisionDraft(
            outcome=data["outcome"],
            demand_legitimacy=data["demand_legitimacy"],
            manner=data["manner"],
            rationale=data.get("rationale") or "",
            categories=list(data.get("categories") or []),
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
            indefinite_reason=data.get("indefinite_reason") or "",
            scope=data.get("scope") or "",
            scope_centers=list(data.get("scope_centers") or []),
            scope_client=data.get("scope_client") or "",
            supersedes=data.get("supersedes"),
        )


class ApprovalForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5_000,
        help_text=_("Needed for an approval and for a rejection."),
    )


class SupportFollowUpForm(forms.Form):
    note = forms.CharField(
        label=_("What was done for the reporter"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        help_text=_("Seen by the reporter, her supervisors and the staff-care contact."),
    )

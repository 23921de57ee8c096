"""Reports over the API (issue 14 item 3): drafts, submission, the list, one report, addenda
and evidence, as the same user files and reads them in the browser.

Reads go through the selectors (``full_reports``, ``get_report_page_for_user``,
``get_draft_for_user``…), writes through the report services, and what a reporter types is
checked by the web's own ``ReportForm`` and ``AddendumForm``: the messages are the form's, in
the language of the request, in api/errors.py's problem details. The serializers here give a
request its shape (and document it); the forms decide what the portal accepts.

A report is named by its reference once submitted, and by its draft id (a UUID) before: the
draft id of a submitted report leads to the report it became, as the browser's Back does."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.models import User
from accounts.policy import capabilities_of
from harassment_portal.keyset import Keyset
from incidents.evidence import EVIDENCE_TYPES
from incidents.forms import AddendumForm, ReportForm
from incidents.models import (
    REPORTER_VISIBLE_EVENTS,
    Addendum,
    Attachment,
    Channel,
    IncidentReport,
    InformationRequest,
    Legitimacy,
    ReportStatus,
    SupportFollowUp,
    TimelineEvent,
)
from incidents.selectors import (
    SupportRequest,
    full_reports,
    get_draft_for_user,
    get_report_page_for_user,
    report_timeline,
    reporting_centers,
    submitted_from_draft,
    visible_reports,
)
from incidents.selectors.access import can_triage
from incidents.selectors.centers import test_centers
from incidents.selectors.review import (
    SEARCH_WINDOW,
    WIDER_WINDOW,
    ReviewFilters,
    narrow_reports,
    review_categories,
    search_window_basis,
)
from incidents.services import (
    DRAFT_FIELDS,
    ReportIncomplete,
    report_add_addendum,
    report_attach_evidence,
    report_save_draft,
    report_submit,
)
from incidents.views.reports import attachment_download, has_substance
from policy.models import Severity

from .errors import PROBLEM_CONTENT_TYPE, Conflict
from .pagination import PortalCursorPagination
from .schema import PROBLEM
from .views import PortalAPIView, PortalGenericAPIView

REFERENCE = re.compile(r"CH-[0-9]{4}-[0-9]{6}")


# --- Pieces the case files share ------------------------------------------------------------


def staff_code(**kwargs) -> serializers.SlugRelatedField:
    """A person as the API names her: by her staff code, never her name (DESIGN.md §8)."""
    return serializers.SlugRelatedField(slug_field="staff_code", read_only=True, **kwargs)


def codes(**kwargs) -> serializers.SlugRelatedField:
    """Categories and centers by their codes, the contract of the forms and the API."""
    return serializers.SlugRelatedField(slug_field="code", read_only=True, **kwargs)


def category_prefetch() -> Prefetch:
    """A report's categories in the policy's order, retired ones too (old records cite them),
    in one query for a whole page."""
    return Prefetch("categories", queryset=review_categories())


def refused(description: str) -> dict:
    """The schema's 403 problem details, which api/schema.py does not add to every
    operation: only these refuse someone who may otherwise reach the object."""
    problem = OpenApiResponse(
        response={"$ref": f"#/components/schemas/{PROBLEM}"}, description=description
    )
    return {(403, PROBLEM_CONTENT_TYPE): problem}


def form_invalid(form: forms.Form) -> exceptions.ValidationError:
    """A web form's errors, messages and codes as the form gave them, for the problem's
    ``errors`` (the form's errors of the whole form have no field)."""
    detail: dict[str, list[ErrorDetail]] = {}
    for field, errors in form.errors.as_data().items():
        name = api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field
        detail[name] = [
            ErrorDetail(message, code=error.code or "invalid")
            for error in errors
            for message in error.messages
        ]
    return exceptions.ValidationError(detail)


def problems_invalid(problems: dict[str, str]) -> exceptions.ValidationError:
    """What a service found missing (``ReportIncomplete``, ``DecisionInvalid``), field by
    field."""
    return exceptions.ValidationError(
        {
            field: [ErrorDetail(str(problem), code="incomplete")]
            for field, problem in problems.items()
        }
    )


# --- Reading a report -------------------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(
        source="download_name", read_only=True, help_text="The name the download is saved as."
    )
    addendum = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = (
            "id",
            "name",
            "content_type",
            "kind",
            "size",
            "sha256",
            "uploaded_at",
            "addendum",
            "removed_at",
            "download",
        )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download(self, attachment: Attachment) -> str | None:
        """The permission-checked download; none once the retention period removed the file."""
        if attachment.removed_at is not None:
            return None
        return reverse("api:evidence", kwargs={"attachment_id": attachment.pk})


class AddendumSerializer(serializers.ModelSerializer):
    author = staff_code()

    class Meta:
        model = Addendum
        fields = ("id", "text", "author", "created_at")


class QuestionSerializer(serializers.ModelSerializer):
    """A reviewer's question to the reporter; an addendum answers it."""

    asked_by = serializers.SerializerMethodField()

    class Meta:
        model = InformationRequest
        fields = ("id", "question", "created_at", "asked_by", "answer", "answered_at")

    def get_asked_by(self, question: InformationRequest) -> str | None:
        """Who asked, for the reviewers (the reporter's page names no reviewer)."""
        return question.requested_by.staff_code if self.context.get("reviewer") else None


class ReportEventSerializer(serializers.ModelSerializer):
    """What happened to the report. What a reviewer wrote with an event and its details are
    the reviewers' (the reporter's page shows neither)."""

    event = serializers.CharField(source="kind")
    by = staff_code(source="actor", allow_null=True)
    text = serializers.SerializerMethodField()
    details = serializers.SerializerMethodField()

    class Meta:
        model = TimelineEvent
        fields = ("event", "created_at", "by", "text", "details")

    def get_text(self, event: TimelineEvent) -> str:
        return event.note if self.context.get("reviewer") else ""

    def get_details(self, event: TimelineEvent) -> dict:
        return event.details if self.context.get("reviewer") else {}


class ReportRowSerializer(serializers.ModelSerializer):
    """A report as a row of a list: what it is about, not what happened."""

    draft_id = serializers.SerializerMethodField()
    center = codes()
    categories = codes(many=True)
    reporter = staff_code()

    class Meta:
        model = IncidentReport
        fields = (
            "reference",
            "draft_id",
            "status",
            "center",
            "occurred_at",
            "severity",
            "categories",
            "support_requested",
            "reporter",
            "created_at",
            "submitted_at",
        )

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_draft_id(self, report: IncidentReport) -> uuid.UUID | None:
        """Her own reports' draft id (how a draft is named); nobody else's."""
        request = self.context.get("request")
        if request is None or report.reporter_id != request.user.pk:
            return None
        return report.public_id


class ReportSerializer(ReportRowSerializer):
    """A report in full, for those who read it so (accounts.policy.report_reading)."""

    reading = serializers.SerializerMethodField()
    policy_version = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    addenda = AddendumSerializer(many=True, read_only=True)
    evidence = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    class Meta(ReportRowSerializer.Meta):
        # Everything the reporter wrote (the fields of a draft), and what the portal added.
        fields = (
            "reading",
            *ReportRowSerializer.Meta.fields,
            *(name for name in DRAFT_FIELDS if name not in ReportRowSerializer.Meta.fields),
            "suggested_severity",
            "policy_version",
            "updated_at",
            "addenda",
            "evidence",
            "questions",
            "timeline",
        )

    @extend_schema_field(serializers.ChoiceField(choices=["full"]))
    def get_reading(self, report: IncidentReport) -> str:
        return "full"

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, report: IncidentReport) -> list:
        return EvidenceSerializer(report.attachments.all(), many=True).data

    def _reviewer(self, report: IncidentReport) -> bool:
        return can_triage(self.context["request"].user, report)

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, report: IncidentReport) -> list:
        questions = report.information_requests.select_related("requested_by")
        context = {"reviewer": self._reviewer(report)}
        return QuestionSerializer(questions, many=True, context=context).data

    @extend_schema_field(ReportEventSerializer(many=True))
    def get_timeline(self, report: IncidentReport) -> list:
        """As the report's page shows it: the reporter sees the events that concern her."""
        reviewer = self._reviewer(report)
        events = report_timeline(report)
        if not reviewer:
            events = events.filter(kind__in=REPORTER_VISIBLE_EVENTS)
        return ReportEventSerializer(events, many=True, context={"reviewer": reviewer}).data


class FollowUpSerializer(serializers.ModelSerializer):
    by = staff_code()

    class Meta:
        model = SupportFollowUp
        fields = ("note", "by", "created_at")


class SupportRequestSerializer(serializers.Serializer):
    """A report as the staff-care contact reads it: who asked for support, where and when,
    the behaviours named and the care given; never the candidate, the demand, the narrative
    or the evidence (the selector's SupportRequest holds none of them)."""

    reading = serializers.SerializerMethodField()
    reference = serializers.CharField(read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True)
    center = serializers.CharField(source="center_code", read_only=True)
    category_names = serializers.ListField(
        source="categories",
        child=serializers.CharField(),
        read_only=True,
        help_text="The behaviours named, in the language of the request.",
    )
    reporter = serializers.CharField(source="reporter_staff_code", read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    @extend_schema_field(serializers.ChoiceField(choices=["support"]))
    def get_reading(self, support: SupportRequest) -> str:
        return "support"


REPORT_AS_READ = PolymorphicProxySerializer(
    component_name="ReportAsRead",
    serializers={"full": ReportSerializer, "support": SupportRequestSerializer},
    resource_type_field_name="reading",
)


def represent(request: Request, report: IncidentReport | SupportRequest) -> dict:
    if isinstance(report, SupportRequest):
        return SupportRequestSerializer(report).data
    return ReportSerializer(report, context={"request": request}).data


# --- The report a request names -----------------------------------------------------------------


def _draft_id(key: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(key)
    except ValueError:
        return None


def report_as_read(user: User, key: str) -> IncidentReport | SupportRequest:
    """The report ``key`` names, as ``user`` reads it: her draft, a report in full or a
    support request; 404 alike for "no such report" and "not yours"."""
    draft_id = _draft_id(key)
    if draft_id is not None:
        submitted = submitted_from_draft(user, draft_id)
        if submitted is None:
            return get_draft_for_user(user, draft_id)
        key = submitted.reference
    if not REFERENCE.fullmatch(key):
        raise Http404("No such report.")
    return get_report_page_for_user(user, key)


def report_to_change(user: User, key: str) -> IncidentReport:
    """The report ``key`` names, among those ``user`` reads in full; the services decide what
    she may change in it. A support request is read, never written to."""
    report = report_as_read(user, key)
    if isinstance(report, SupportRequest):
        raise Http404("No such report.")
    return report


KEY = OpenApiParameter(
    "key",
    str,
    OpenApiParameter.PATH,
    description="A submitted report's reference (CH-YYYY-NNNNNN), or a draft's id (a UUID).",
)


# --- The list -----------------------------------------------------------------------------------


class ReportFilterSerializer(serializers.Serializer):
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=ReportStatus.choices), required=False
    )
    severity = serializers.ListField(
        child=serializers.ChoiceField(choices=Severity.choices), required=False
    )
    category = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, help_text="Category codes."
    )
    center = serializers.SlugRelatedField(
        slug_field="code",
        queryset=test_centers(),
        many=True,
        required=False,
        help_text="Test center codes.",
    )
    submitted_from = serializers.DateField(
        required=False, help_text="Submitted on or after this day (Tokyo)."
    )
    submitted_to = serializers.DateField(
        required=False, help_text="Submitted on or before this day (Tokyo)."
    )
    q = serializers.CharField(
        required=False,
        max_length=200,
        help_text="A reference, a candidate ID, or words of the text (Japanese too).",
    )


def report_filters(filters: dict) -> ReviewFilters:
    """The list's query parameters as the review queue's filters: one meaning of
    "severity", "category" and a search, whichever list asks."""
    return ReviewFilters(
        severities=tuple(filters.get("severity", ())),
        category_codes=tuple(filters.get("category", ())),
        center_ids=tuple(center.pk for center in filters.get("center", ())),
        submitted_from=filters.get("submitted_from"),
        submitted_to=filters.get("submitted_to"),
        text=filters.get("q", ""),
    )


def reports_for_api(
    user: User, filters: dict, narrowed: ReviewFilters | None = None, *, through_index=True
) -> QuerySet[IncidentReport]:
    """The reports ``user`` reads in full (her own, drafts included; those of the centers she
    reviews), narrowed as the review queue narrows them (by ``narrowed``, the filters of
    ``filters`` unless given; for ``through_index`` see narrow_reports), with what a row
    shows in two queries: the page (center and reporter joined) and its categories."""
    reports = full_reports(user)
    if filters.get("status"):
        reports = reports.filter(status__in=filters["status"])
    narrowed = report_filters(filters) if narrowed is None else narrowed
    reports = narrow_reports(reports, narrowed, through_index=through_index)
    return reports.select_related("center", "reporter").prefetch_related(category_prefetch())


class ReportListPagination(PortalCursorPagination):
    """The list's pages; a word search first among the next SEARCH_WINDOW reports (then
    WIDER_WINDOW times as many).

    Why: PostgreSQL cannot tell how many reports hold a word (it takes the word's pieces for
    independent), so it fetched every report the GIN index gave and sorted them to show 25,
    even for a word in one report in six ("refund": 175,779 of a million). Among the next
    reports of the list's own index a common word fills the page at once; a rarer one is
    then looked up through the GIN index, quick for few reports (as the review queue does,
    incidents.selectors.review._search_window)."""

    order = Keyset(("created_at", "id"), descending=True)  # the list's ordering, as a keyset
    window = SEARCH_WINDOW

    def paginate_search(self, searched, *, unindexed, unsearched, request, view=None):
        """A page of ``searched`` (``unsearched`` with the words) as paginate_queryset
        gives it, read from the window when the window holds the page and the row after
        it (then it is the same page). ``unindexed`` is ``searched`` with the words tested on
        the text alone: with the tokens as well, PostgreSQL took them for rare and read
        every report the GIN index gave, to keep those of the window."""
        cursor = self.decode_cursor(request)
        sizes = (self.window, self.window * WIDER_WINDOW)
        if cursor is not None and cursor.reverse:
            sizes = ()  # a "previous" link reads backwards: as it is
        for size in sizes:
            window = self._window(unsearched, cursor, size)
            if window is None:  # fewer reports follow: the GIN index has few to give
                break
            page = self.paginate_queryset(unindexed.filter(window), request, view)
            if self.has_next:
                return page
        return self.paginate_queryset(searched, request, view)

    def _window(self, unsearched, cursor, size: int):
        """The next ``size`` reports after the cursor, whatever their words (as a
        condition: up to the last of them), or None when fewer follow. The rows a page
        skips (the cursor's offset, among reports of one instant) are in it too."""
        if cursor is not None and cursor.position is not None:
            unsearched = unsearched.filter(created_at__lt=cursor.position)  # as DRF's
        first = cursor.offset if cursor is not None else 0
        ordered = unsearched.order_by(*self.order.order_by()).values_list(*self.order.fields)
        last = list(ordered[first + size - 1 : first + size])
        return self.order.up_to(last[0]) if last else None


# --- Writing a report ---------------------------------------------------------------------------


class DraftInputSerializer(serializers.Serializer):
    """What a reporter writes on a draft, as the report form has it. Any field may be left out
    (on a change: it keeps its value); what submitting needs is checked at submission. The
    form's checks then apply, with its messages: lengths, the time of the incident, the
    candidate ID, the centers she reports for, the category codes."""

    form_token = serializers.UUIDField(
        required=False,
        help_text=(
            "Makes creating a draft safe to retry: a second request with the same token "
            "updates the draft the first one made instead of making another."
        ),
    )
    center = serializers.CharField(
        required=False,
        help_text="The code of a test center she reports for (needed when she has several).",
    )
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)
    location = serializers.CharField(required=False, allow_blank=True)
    online_url = serializers.CharField(required=False, allow_blank=True)
    exam = serializers.CharField(required=False, allow_blank=True)
    candidate_id_entered = serializers.CharField(required=False, allow_blank=True)
    candidate_name = serializers.CharField(required=False, allow_blank=True)
    candidate_contact = serializers.CharField(required=False, allow_blank=True)
    demand = serializers.CharField(required=False, allow_blank=True)
    demand_legitimacy = serializers.ChoiceField(
        choices=Legitimacy.choices, required=False, allow_blank=True
    )
    exact_words = serializers.CharField(required=False, allow_blank=True)
    repetitions = serializers.IntegerField(required=False, allow_null=True)
    narrative = serializers.CharField(required=False, allow_blank=True)
    categories = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Category codes."
    )
    staff_response = serializers.CharField(required=False, allow_blank=True)
    duration_minutes = serializers.IntegerField(required=False, allow_null=True)
    injury = serializers.BooleanField(required=False)
    injury_details = serializers.CharField(required=False, allow_blank=True)
    police_called = serializers.BooleanField(required=False)
    witnesses = serializers.CharField(required=False, allow_blank=True)
    support_requested = serializers.BooleanField(required=False)
    advice_requested = serializers.BooleanField(required=False)
    severity = serializers.ChoiceField(
        choices=Severity.choices,
        required=False,
        allow_blank=True,
        help_text="Empty: as suggested. It may be raised, not lowered.",
    )
    severity_reason = serializers.CharField(required=False, allow_blank=True)


def _checked_draft(request: Request, draft: IncidentReport | None) -> ReportForm:
    """The report form bound to what the request sends over what the draft holds, checked as
    the web checks it."""
    given = DraftInputSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    values = dict(given.validated_data)
    token = values.pop("form_token", None)
    if draft is not None:
        # A field the request leaves out keeps its value: the form starts from the draft.
        current = ReportForm(instance=draft, user=request.user)
        data = {name: current[name].value() for name in current.fields if name != "evidence"}
        data["form_token"] = draft.form_token
    else:
        data = {"form_token": token or uuid.uuid4()}
        centers = list(reporting_centers(request.user)[:2])
        if len(centers) == 1:  # the web form starts from her center too
            data["center"] = centers[0].pk
    if "center" in values:
        # Named by its code; an unknown code goes to the form as it is, which refuses it.
        code = values["center"]
        values["center"] = (
            reporting_centers(request.user).filter(code=code).values_list("pk", flat=True).first()
            or code
        )
    data.update(values)
    form = ReportForm(data, instance=draft, user=request.user)
    if not form.is_valid():
        raise form_invalid(form)
    return form


def _save(request: Request, form: ReportForm, draft: IncidentReport | None) -> IncidentReport:
    data = form.cleaned_data
    return report_save_draft(
        reporter=request.user,
        form_token=data["form_token"],
        values=data,
        categories=data["categories"],
        report=draft,
    )


class ReportList(PortalGenericAPIView):
    serializer_class = ReportRowSerializer
    pagination_class = ReportListPagination
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="reports_list",
        summary="The reports she reads in full",
        description=(
            "Her own reports (drafts too) and the submitted reports of the centers she "
            "reviews, newest first, a page at a time: the cursor stays valid while reports "
            "are added. The staff-care contact reads support requests one by one "
            "(GET /reports/{key}/), not in this list."
        ),
        parameters=[ReportFilterSerializer],
        responses=ReportRowSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = ReportFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        narrowed = report_filters(filters.validated_data)
        reports = reports_for_api(request.user, filters.validated_data, narrowed)
        if narrowed.search.words and not narrowed.search.candidate_pks:  # see queue_page
            page = self.paginator.paginate_search(
                reports,
                unindexed=reports_for_api(
                    request.user, filters.validated_data, narrowed, through_index=False
                ),
                unsearched=self._unsearched(request.user, filters.validated_data, narrowed),
                request=request,
                view=self,
            )
        else:
            page = self.paginate_queryset(reports)
        rows = ReportRowSerializer(page, many=True, context={"request": request})
        return self.get_paginated_response(rows.data)

    @staticmethod
    def _unsearched(user: User, filters: dict, narrowed: ReviewFilters) -> QuerySet:
        """The reports a search's windows are counted among (search_window_basis): for
        someone who reviews, every report; for the others, hers without the words."""
        basis = search_window_basis(user)
        if basis is not None:
            return basis
        return reports_for_api(user, filters, replace(narrowed, text=""))

    @extend_schema(
        operation_id="reports_create",
        summary="Start a report (a draft)",
        description=(
            "A draft, checked as the report form checks it; submit it with "
            "POST /reports/{key}/submit. Posting the same form_token again changes the draft "
            "it made (200) or answers with the report it became."
        ),
        request=DraftInputSerializer,
        responses={
            201: ReportSerializer,
            200: ReportSerializer,
            **refused("She files no reports: she has no role in a test center."),
        },
    )
    def post(self, request: Request) -> Response:
        user = request.user
        if not capabilities_of(user).files_reports or not reporting_centers(user).exists():
            raise exceptions.PermissionDenied(
                _("You need a role in a test center to file a report.")
            )
        form = _checked_draft(request, draft=None)
        if not has_substance(form.cleaned_data):
            # As on the web: an empty report makes no ghost draft in "My reports".
            form.add_error("narrative", _("Nothing was saved yet: write what happened first."))
            raise form_invalid(form)
        # Her own report made by an earlier post of the same form (a retried request).
        again = (
            visible_reports(user)
            .filter(reporter=user, form_token=form.cleaned_data["form_token"])
            .exists()
        )
        report = _save(request, form, draft=None)
        return Response(
            represent(request, report),
            status=status.HTTP_200_OK if again else status.HTTP_201_CREATED,
        )


class ReportDetail(PortalAPIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="reports_read",
        summary="One report, as she may read it",
        description=(
            "In full for her own reports and those of the centers she reviews (managers and "
            "legal: all); as a support request for the staff-care contact of its center; "
            "404 for anyone else. A draft only to its reporter."
        ),
        parameters=[KEY],
        responses=REPORT_AS_READ,
    )
    def get(self, request: Request, key: str) -> Response:
        return Response(represent(request, report_as_read(request.user, key)))

    @extend_schema(
        operation_id="reports_update",
        summary="Change her draft",
        description="Only the fields sent change. A submitted report takes addenda instead.",
        parameters=[KEY],
        request=DraftInputSerializer,
        responses=ReportSerializer,
    )
    def patch(self, request: Request, key: str) -> Response:
        draft = report_to_change(request.user, key)
        if not draft.is_draft:
            raise Conflict(_("Only a draft can be changed: add an addendum to a submitted report."))
        report = _save(request, _checked_draft(request, draft), draft)
        return Response(represent(request, report))


class ReportSubmit(PortalAPIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="reports_submit",
        summary="Submit her draft",
        description=(
            "Gives the report its reference and escalates it, as the report form's Submit "
            "does. What is still missing comes back field by field (400). Submitting a "
            "report that is submitted already answers with it, unchanged."
        ),
        parameters=[KEY],
        request=None,
        responses=ReportSerializer,
    )
    def post(self, request: Request, key: str) -> Response:
        report = report_to_change(request.user, key)
        try:
            report = report_submit(report=report, by=request.user)
        except ReportIncomplete as incomplete:
            raise problems_invalid(incomplete.problems) from None
        return Response(
            represent(request, get_report_page_for_user(request.user, report.reference))
        )


class EvidenceUploadSerializer(serializers.Serializer):
    evidence = serializers.ListField(
        child=serializers.FileField(),
        help_text=(
            "Photos (JPEG, PNG, HEIC), audio (MP3, M4A, WAV), video (MP4) or PDF, each checked "
            "from its content; the limits of the report form apply."
        ),
    )


class EvidenceRejectionSerializer(serializers.Serializer):
    name = serializers.CharField()
    message = serializers.CharField()


class EvidenceStoredSerializer(serializers.Serializer):
    stored = EvidenceSerializer(many=True)
    rejected = EvidenceRejectionSerializer(many=True)


def _rejections(rejected) -> list[dict]:
    return [{"name": rejection.name, "message": rejection.message} for rejection in rejected]


def _evidence_refused(rejected) -> exceptions.ValidationError:
    """Every file refused: each says why, under ``evidence``."""
    return exceptions.ValidationError(
        {
            "evidence": [
                ErrorDetail(f"{rejection.name}: {rejection.message}", code="refused")
                for rejection in rejected
            ]
        }
    )


class ReportEvidence(PortalAPIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="reports_evidence_upload",
        summary="Add evidence to her draft",
        description=(
            "multipart/form-data, one or more files under `evidence`. Each is checked on its "
            "own (type from its content, size, count) and its SHA-256 recorded; one refused "
            "file never loses the others. A submitted report takes evidence with an addendum."
        ),
        parameters=[KEY],
        request=EvidenceUploadSerializer,
        responses={201: EvidenceStoredSerializer},
    )
    def post(self, request: Request, key: str) -> Response:
        report = report_to_change(request.user, key)
        files = request.FILES.getlist("evidence")
        if not files:
            raise exceptions.ValidationError(
                {"evidence": [ErrorDetail(_("Choose at least one file."), code="required")]}
            )
        stored, rejected = report_attach_evidence(report=report, files=files, by=request.user)
        if not stored:
            raise _evidence_refused(rejected)
        body = {
            "stored": EvidenceSerializer(stored, many=True).data,
            "rejected": _rejections(rejected),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class AddendumInputSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="What she adds: the report itself never changes.")


class AddendumUploadSerializer(AddendumInputSerializer):
    evidence = serializers.ListField(child=serializers.FileField(), required=False)


class AddendumAddedSerializer(serializers.Serializer):
    addendum = AddendumSerializer()
    stored = EvidenceSerializer(many=True)
    rejected = EvidenceRejectionSerializer(many=True)


class ReportAddenda(PortalAPIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="reports_addendum_add",
        summary="Add to her submitted report",
        description=(
            "Something she remembered, or the answer to a reviewer's question (it answers "
            "every open one). With multipart/form-data, evidence files under `evidence`."
        ),
        parameters=[KEY],
        request={
            "application/json": AddendumInputSerializer,
            "multipart/form-data": AddendumUploadSerializer,
        },
        responses={201: AddendumAddedSerializer},
    )
    def post(self, request: Request, key: str) -> Response:
        report = report_to_change(request.user, key)
        if not report.is_record:
            raise Conflict(_("Only the reporter can add to a submitted report."))
        text = AddendumInputSerializer(data=request.data)
        text.is_valid(raise_exception=True)
        form = AddendumForm({"text": text.validated_data["text"]}, request.FILES)
        if not form.is_valid():
            raise form_invalid(form)
        addendum, rejected = report_add_addendum(
            report=report,
            by=request.user,
            text=form.cleaned_data["text"],
            files=form.cleaned_data["evidence"],
        )
        body = {
            "addendum": AddendumSerializer(addendum).data,
            "stored": EvidenceSerializer(addendum.attachments.all(), many=True).data,
            "rejected": _rejections(rejected),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class AnyAccept(BaseContentNegotiation):
    """A download answers with the file's own type whatever the client accepts (a refusal
    is still problem details)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class EvidenceDownload(PortalAPIView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        operation_id="evidence_download",
        summary="Download an evidence file",
        description=(
            "For those who read its report in full. Sent as an attachment under the name of "
            "its detected type, never to be sniffed into something else."
        ),
        parameters=[OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)],
        responses={
            (200, evidence_type.content_type): OpenApiResponse(OpenApiTypes.BINARY)
            for evidence_type in EVIDENCE_TYPES.values()
        },
    )
    def get(self, request: Request, attachment_id: int):
        # The web's download, on the user this request authenticated (DRF sets it on the
        # Django request too): one door for evidence, with its checks and its headers.
        return attachment_download(request._request, attachment_id)

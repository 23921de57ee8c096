"""Case files and decisions over the API (issue 14 item 3), for the reviewers who may see
them: the list, one candidate's file with its timeline as the reader may see it (another
center's reports as summary lines), its decisions, a proposal, and the second person's
approval or rejection.

Reads go through incidents/selectors/cases.py (every opening of a case file is logged, as on
the web), writes through incidents/services/decisions.py, and the input is checked by the web's
``DecisionForm`` and ``ApprovalForm``.

Approving puts a refusal of testing or legal action in force. The web asks for the manager's
password again first (``@reauthenticated``); a personal token cannot give it, so an approval
is refused over a token, and taken over the browser's session only when its password was
confirmed within REAUTH_MAX_AGE_SECONDS, as the web's page would require. A rejection puts
nothing in force and asks for no confirmation, on the web or here."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.policy import may_approve
from accounts.reauth import confirmed_within
from incidents.forms import ApprovalForm, DecisionForm
from incidents.models import (
    CaseFile,
    CaseFileStatus,
    Decision,
    DecisionState,
    Legitimacy,
    MannerAssessment,
    Outcome,
    Scope,
    normalise_candidate_id,
)
from incidents.selectors.access import may_review
from incidents.selectors.cases import (
    CaseFileFilters,
    TimelineEntry,
    case_file_decisions,
    case_file_timeline,
    case_files_for,
    get_case_file_for_user,
    mark_restricted,
    merged_candidates,
    restrictions_in_force,
)
from incidents.selectors.centers import test_centers
from incidents.services.cases import case_file_log_access
from incidents.services.decisions import (
    DecisionError,
    DecisionInvalid,
    decision_approve,
    decision_propose,
    decision_reject,
)
from policy.models import Severity

from .errors import Conflict
from .pagination import PortalCursorPagination
from .reports import codes, form_invalid, problems_invalid, refused, staff_code
from .views import PortalAPIView, PortalGenericAPIView

CASE_FILE_ID = OpenApiParameter("case_file_id", int, OpenApiParameter.PATH)
DECISION_ID = OpenApiParameter("decision_id", int, OpenApiParameter.PATH)


class CaseFilePagination(PortalCursorPagination):
    # A case file has no creation time; its id grows with each new one, and a new report
    # moves no file in this order (the last report's time would), so pages stay stable.
    ordering = ("-id",)


# --- Representations -------------------------------------------------------------------------


class CaseFileRowSerializer(serializers.ModelSerializer):
    candidate_id = serializers.CharField(source="candidate.candidate_id", read_only=True)
    report_count = serializers.IntegerField(read_only=True)
    last_report_at = serializers.DateTimeField(read_only=True, allow_null=True)
    restricted = serializers.BooleanField(
        read_only=True, help_text="A refusal of testing is in force today."
    )

    class Meta:
        model = CaseFile
        fields = (
            "id",
            "candidate_id",
            "status",
            "risk_level",
            "report_count",
            "last_report_at",
            "restricted",
        )


class DecisionSerializer(serializers.ModelSerializer):
    categories = codes(many=True)
    scope_centers = codes(many=True)
    policy_version = serializers.SlugRelatedField(slug_field="number", read_only=True)
    proposed_by = staff_code()
    decided_by = staff_code(allow_null=True)
    needs_approval = serializers.BooleanField(read_only=True)
    may_approve = serializers.SerializerMethodField(
        help_text="Whether the reader may approve or reject it (a manager who did not propose it)."
    )

    class Meta:
        model = Decision
        fields = (
            "id",
            "outcome",
            "state",
            "demand_legitimacy",
            "manner",
            "rationale",
            "categories",
            "policy_version",
            "starts_on",
            "ends_on",
            "indefinite_reason",
            "scope",
            "scope_centers",
            "scope_client",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "supersedes",
            "ended_at",
            "needs_approval",
            "may_approve",
        )

    def get_may_approve(self, decision: Decision) -> bool:
        return decision.state == DecisionState.PROPOSED and may_approve(
            self.context["request"].user, decision
        )


class RestrictionSerializer(serializers.ModelSerializer):
    scope_centers = codes(many=True)

    class Meta:
        model = Decision
        fields = ("id", "starts_on", "ends_on", "scope", "scope_centers", "scope_client")


class TimelineEntrySerializer(serializers.Serializer):
    """One line of the case file's timeline. A report she reads in full is named by its
    reference; another center's report is a summary line (its day, center, severity and
    categories: no reference, no time, nothing it says). Notes and events name the report
    they concern only when it is one she reads in full."""

    kind = serializers.ChoiceField(choices=["report", "report_summary", "note", "event"])
    at = serializers.DateTimeField(allow_null=True, help_text="Null for a summary line.")
    date = serializers.DateField(help_text="The day, in Tokyo.")
    reference = serializers.CharField(allow_null=True)
    center = serializers.CharField(allow_null=True)
    severity = serializers.ChoiceField(choices=Severity.choices, allow_null=True)
    categories = serializers.ListField(child=serializers.CharField())
    event = serializers.CharField(allow_null=True, help_text="What happened (an event's code).")
    decision = serializers.IntegerField(allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_null=True)
    text = serializers.CharField(help_text="A note's text, or what a person wrote on an event.")
    by = serializers.CharField(allow_null=True, help_text="A staff code.")
    details = serializers.DictField(help_text="An event's details, as codes.")


def timeline_line(entry: TimelineEntry) -> dict:
    line = {
        "kind": entry.kind,
        "at": entry.at,
        "date": timezone.localdate(entry.at, timezone.get_default_timezone()),
        "reference": None,
        "center": None,
        "severity": None,
        "categories": [],
        "event": None,
        "decision": None,
        "outcome": None,
        "text": "",
        "by": None,
        "details": {},
    }
    if entry.kind in ("report", "report_summary"):
        report = entry.report
        line.update(
            center=report.center.code,
            severity=report.severity,
            categories=[category.code for category in report.categories.all()],
        )
        if entry.kind == "report":
            line["reference"] = report.reference
        else:
            line["at"] = None
    elif entry.kind == "note":
        note = entry.note
        line.update(
            reference=note.report.reference if note.report else None,
            text=note.text,
            by=note.author.staff_code,
        )
    else:
        event = entry.event
        line.update(
            event=event.kind,
            reference=event.report.reference if event.report else None,
            decision=event.decision_id,
            outcome=event.decision.outcome if event.decision else None,
            text=event.note,
            by=event.actor.staff_code if event.actor else None,
            details=event.details,
        )
    return line


class CandidateSerializer(serializers.Serializer):
    candidate_id = serializers.CharField()
    name = serializers.CharField()
    contact = serializers.CharField()
    also_known_as = serializers.ListField(
        child=serializers.CharField(), help_text="Candidate IDs merged into this one."
    )


class CaseFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CaseFileStatus.choices)
    risk_level = serializers.ChoiceField(choices=Severity.choices)
    revision = serializers.IntegerField(
        help_text="Send it with a decision: a change since is refused (409), never overwritten."
    )
    legal_hold = serializers.BooleanField()
    candidate = CandidateSerializer()
    restrictions = RestrictionSerializer(many=True, help_text="Refusals of testing in force.")
    timeline = TimelineEntrySerializer(many=True)


def case_file_as_read(user: User, case_file: CaseFile) -> dict:
    candidate = case_file.candidate
    return {
        "id": case_file.pk,
        "status": case_file.status,
        "risk_level": case_file.risk_level,
        "revision": case_file.revision,
        "legal_hold": case_file.legal_hold,
        "candidate": {
            "candidate_id": candidate.candidate_id,
            "name": candidate.name,
            "contact": candidate.contact,
            "also_known_as": [other.candidate_id for other in merged_candidates(case_file)],
        },
        "restrictions": RestrictionSerializer(restrictions_in_force(case_file), many=True).data,
        "timeline": [timeline_line(entry) for entry in case_file_timeline(user, case_file)],
    }


# --- The list and one case file ---------------------------------------------------------------


class CaseFileFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CaseFileStatus.choices, required=False)
    risk = serializers.ChoiceField(choices=Severity.choices, required=False)
    restricted = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="A refusal in force, or none."
    )
    center = serializers.SlugRelatedField(
        slug_field="code",
        queryset=test_centers(),
        required=False,
        help_text="With a report from this center.",
    )
    candidate_id = serializers.CharField(
        required=False, max_length=40, help_text="Candidate IDs starting with this."
    )


def _reviewer(user: User) -> None:
    """Case files are the reviewers'; to anyone else there are none (404, as on the web)."""
    if not may_review(user):
        raise Http404("No case files.")


class CaseFileList(PortalGenericAPIView):
    serializer_class = CaseFileRowSerializer
    pagination_class = CaseFilePagination

    @extend_schema(
        operation_id="case_files_list",
        summary="The case files she may see",
        description=(
            "Supervisors: the candidates with a report in their centers; managers and legal: "
            "all. Newest case file first, a page at a time."
        ),
        parameters=[CaseFileFilterSerializer],
        responses=CaseFileRowSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        _reviewer(request.user)
        given = CaseFileFilterSerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        filters = CaseFileFilters(
            status=data.get("status", ""),
            risk=data.get("risk", ""),
            restricted=data.get("restricted"),
            center=data["center"].pk if data.get("center") else None,
            candidate_id=normalise_candidate_id(data.get("candidate_id", "")),
        )
        page = mark_restricted(self.paginate_queryset(case_files_for(request.user, filters)))
        return self.get_paginated_response(CaseFileRowSerializer(page, many=True).data)


class CaseFileDetail(PortalAPIView):
    @extend_schema(
        operation_id="case_files_read",
        summary="One case file, with its timeline as she may see it",
        description="Every reading is recorded in the case file's access log, as on the web.",
        parameters=[CASE_FILE_ID],
        responses=CaseFileSerializer,
    )
    def get(self, request: Request, case_file_id: int) -> Response:
        case_file = get_case_file_for_user(request.user, case_file_id)
        case_file_log_access(case_file=case_file, user=request.user)
        return Response(case_file_as_read(request.user, case_file))


# --- Decisions -----------------------------------------------------------------------------------


class DecisionInputSerializer(serializers.Serializer):
    """A decision as the decision form takes it; the form's checks and the service's rules
    (a rationale, the two-part test, a refusal's period and scope) then apply."""

    revision = serializers.IntegerField(help_text="The case file's revision she decided on.")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    demand_legitimacy = serializers.ChoiceField(choices=Legitimacy.choices)
    manner = serializers.ChoiceField(choices=MannerAssessment.choices)
    categories = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Category codes cited."
    )
    rationale = serializers.CharField(required=False, allow_blank=True)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)
    indefinite_reason = serializers.CharField(required=False, allow_blank=True)
    scope = serializers.ChoiceField(choices=Scope.choices, required=False, allow_blank=True)
    scope_centers = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Center codes."
    )
    scope_client = serializers.CharField(required=False, allow_blank=True)
    supersedes = serializers.IntegerField(
        required=False, allow_null=True, help_text="The id of the decision in force it replaces."
    )


class ApprovalInputSerializer(serializers.Serializer):
    revision = serializers.IntegerField(help_text="The case file's revision she decided on.")
    reason = serializers.CharField(help_text="Needed for an approval and for a rejection.")


class DecisionList(PortalAPIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="decisions_list",
        summary="The decisions on a case file",
        description="Newest first: proposals, those in force and those that ended.",
        parameters=[CASE_FILE_ID],
        responses=DecisionSerializer(many=True),
    )
    def get(self, request: Request, case_file_id: int) -> Response:
        case_file = get_case_file_for_user(request.user, case_file_id)
        decisions = case_file_decisions(case_file)
        return Response(DecisionSerializer(decisions, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="decisions_propose",
        summary="Propose a decision",
        description=(
            "A refusal of testing or legal action waits for a manager who did not propose it "
            "(state `proposed`); any other outcome is in force at once."
        ),
        parameters=[CASE_FILE_ID],
        request=DecisionInputSerializer,
        responses={201: DecisionSerializer},
    )
    def post(self, request: Request, case_file_id: int) -> Response:
        case_file = get_case_file_for_user(request.user, case_file_id)
        given = DecisionInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        form = DecisionForm(dict(given.validated_data), case_file=case_file)
        if not form.is_valid():
            raise form_invalid(form)
        try:
            decision = decision_propose(
                case_file=case_file,
                by=request.user,
                expected_revision=form.cleaned_data["revision"],
                draft=form.to_draft(),
            )
        except DecisionInvalid as invalid:
            raise problems_invalid(invalid.problems) from None
        except DecisionError as error:
            raise Conflict(str(error)) from None
        decision = case_file_decisions(case_file).get(pk=decision.pk)
        body = DecisionSerializer(decision, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


def _require_recent_confirmation(request: Request) -> None:
    """The web's @reauthenticated, for the API: see the module's docstring."""
    if not isinstance(request.successful_authenticator, SessionAuthentication):
        raise exceptions.PermissionDenied(
            _(
                "Approving a decision needs your password again, which a token cannot give: "
                "approve it in the portal."
            ),
            code="confirmation_required",
        )
    if not confirmed_within(request._request, settings.REAUTH_MAX_AGE_SECONDS):
        raise exceptions.PermissionDenied(
            _("Please confirm your password first: this needs a recent confirmation."),
            code="confirmation_required",
        )


def _decide(request: Request, case_file_id: int, decision_id: int, *, approve: bool) -> Response:
    case_file = get_case_file_for_user(request.user, case_file_id)
    decision = case_file.decisions.filter(pk=decision_id).first()
    if decision is None:
        raise Http404("No such decision.")
    hers_to_decide = may_approve(request.user, decision)
    if approve and hers_to_decide:
        _require_recent_confirmation(request)
    given = ApprovalInputSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    form = ApprovalForm(dict(given.validated_data))
    if not form.is_valid():
        raise form_invalid(form)
    act = decision_approve if approve else decision_reject
    try:
        act(
            decision=decision,
            by=request.user,
            reason=form.cleaned_data["reason"],
            expected_revision=form.cleaned_data["revision"],
        )
    except DecisionInvalid as invalid:
        raise problems_invalid(invalid.problems) from None
    except DecisionError as error:
        # The policy tells apart "not hers to decide" (the two-person rule: 403) from "not
        # waiting for a decision any more" (409); the service's words say which.
        awaiting = decision.needs_approval and decision.state == DecisionState.PROPOSED
        if awaiting and not hers_to_decide:
            raise exceptions.PermissionDenied(str(error)) from None
        raise Conflict(str(error)) from None
    decision = case_file_decisions(case_file).get(pk=decision.pk)
    return Response(DecisionSerializer(decision, context={"request": request}).data)


DECIDED = {
    200: DecisionSerializer,
    **refused(
        "Not hers to decide (the proposer, or not a manager), or, for an approval, no recent "
        "password confirmation (always so over a token)."
    ),
}


class DecisionApprove(PortalAPIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="decisions_approve",
        summary="Approve a proposal (the second person)",
        description=(
            "A manager who did not propose it puts a refusal of testing or legal action in "
            "force. Like the web page, it needs her password confirmed recently: only over "
            "the browser's session, never over a token."
        ),
        parameters=[CASE_FILE_ID, DECISION_ID],
        request=ApprovalInputSerializer,
        responses=DECIDED,
    )
    def post(self, request: Request, case_file_id: int, decision_id: int) -> Response:
        return _decide(request, case_file_id, decision_id, approve=True)


class DecisionReject(PortalAPIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="decisions_reject",
        summary="Reject a proposal",
        parameters=[CASE_FILE_ID, DECISION_ID],
        request=ApprovalInputSerializer,
        responses=DECIDED,
    )
    def post(self, request: Request, case_file_id: int, decision_id: int) -> Response:
        return _decide(request, case_file_id, decision_id, approve=False)

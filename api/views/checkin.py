"""GET /api/v1/candidates/<candidate_id>/status: the check-in lookup for the check-in system.

The same lookup as the /checkin/ page, step for step (incidents/views/checkin.py): who may
ask (ensure_checkin_access: 404 otherwise), the same sliding-window limits per user and per
device (checkin_rate_limit_consume; the device of a token is the token, that of a browser its
address), the same validation of the ID, the same selector for the answer, and the same row
in the lookup log, refused and mistyped lookups included."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.client_ip import client_ip
from incidents.models import normalise_candidate_id, validate_candidate_id
from incidents.selectors.checkin import ensure_checkin_access, restrictions_for_checkin
from incidents.services.checkin import (
    DEVICE,
    CheckinAllowance,
    checkin_lookup_log,
    checkin_rate_limit_consume,
)

from ..models import PersonalToken
from ..serializers import CandidateStatusSerializer
from . import PortalAPIView


class LookupsRateLimited(exceptions.APIException):
    """429 with the page's message alone (DRF's Throttled would append its own sentence);
    ``wait`` becomes Retry-After."""

    status_code = 429
    default_code = "throttled"

    def __init__(self, detail: str, *, wait: int):
        super().__init__(detail)
        self.wait = wait


def _rate_limited(allowance: CheckinAllowance) -> str:
    """The page's own message (templates/incidents/checkin.html), in the same words."""
    minutes = allowance.retry_after_minutes
    if allowance.limited_by == DEVICE:
        message = ngettext(
            "Too many lookups from this device in a short time. Try again in %(minutes)s "
            "minute, or use another device.",
            "Too many lookups from this device in a short time. Try again in %(minutes)s "
            "minutes, or use another device.",
            minutes,
        )
    else:
        message = ngettext(
            "You have made too many lookups in a short time. Try again in %(minutes)s "
            "minute, or ask your supervisor.",
            "You have made too many lookups in a short time. Try again in %(minutes)s "
            "minutes, or ask your supervisor.",
            minutes,
        )
    return message % {"minutes": minutes}


def _devices(request: Request) -> list[str]:
    """The token is the check-in system's device; a browser's lookup counts against its
    address, as the page counts a lookup without its device cookie."""
    if isinstance(request.auth, PersonalToken):
        return [f"api-token:{request.auth.pk}"]
    return [f"address:{client_ip(request._request)}"]


def _look_up(request: Request, candidate_id: str) -> Response:
    """The page's lookup, step for step, for the ID as the caller sent it."""
    user = request.user
    ensure_checkin_access(user)
    allowance = checkin_rate_limit_consume(user=user, devices=_devices(request))
    if not allowance.allowed:
        checkin_lookup_log(
            user=user, candidate_id_entered=candidate_id, restricted=False, refused=True
        )
        raise LookupsRateLimited(_rate_limited(allowance), wait=allowance.retry_after_seconds)
    normalised = normalise_candidate_id(candidate_id)
    try:
        validate_candidate_id(normalised)
    except ValidationError as error:
        # A mistyped ID is a lookup too: logged as typed, like any other.
        checkin_lookup_log(user=user, candidate_id_entered=candidate_id, restricted=False)
        raise exceptions.ValidationError(
            {"candidate_id": [ErrorDetail(message, code=error.code) for message in error]}
        ) from None
    restrictions = restrictions_for_checkin(user, normalised)
    lookup = checkin_lookup_log(
        user=user, candidate_id_entered=candidate_id, restricted=bool(restrictions)
    )
    answer = {
        "candidate_id": normalised,
        "restricted": bool(restrictions),
        "restrictions": restrictions,
        "looked_up_at": lookup.looked_up_at,
    }
    return Response(CandidateStatusSerializer(answer).data)


class CandidateStatus(PortalAPIView):
    """Whether a restriction is in force for the candidate, until when, where, and whom to
    call; never the incidents behind it. Logged and rate-limited as the check-in page.

    The ID is in the address, so it reaches web-server access logs; the POST form of the same
    lookup (/api/v1/candidates/status) keeps it in the body, as the page does."""

    @extend_schema(
        summary="The check-in lookup",
        parameters=[
            OpenApiParameter(
                "candidate_id",
                str,
                OpenApiParameter.PATH,
                description="The candidate ID as issued by the test system (exact match).",
            )
        ],
        responses=CandidateStatusSerializer,
    )
    def get(self, request: Request, candidate_id: str) -> Response:
        return _look_up(request, candidate_id)


class CandidateIdSerializer(serializers.Serializer):
    # No length of its own: what validate_candidate_id refuses is logged as typed, as on the page.
    candidate_id = serializers.CharField(
        trim_whitespace=False,
        help_text="The candidate ID as issued by the test system (exact match).",
    )


class CandidateStatusLookup(PortalAPIView):
    """The same lookup with the ID in the request's body: it stays out of addresses and so
    out of access logs and proxies' records, as the check-in page keeps it (a POST)."""

    @extend_schema(
        summary="The check-in lookup, the ID in the body",
        request=CandidateIdSerializer,
        responses=CandidateStatusSerializer,
    )
    def post(self, request: Request) -> Response:
        body = CandidateIdSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return _look_up(request, body.validated_data["candidate_id"])

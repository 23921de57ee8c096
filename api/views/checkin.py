"""GET /api/v1/candidates/<candidate_id>/status: the check-in lookup for the check-in system.

The same lookup as the /checkin/ page, step for step (incidents/views/checkin.py): who may
ask (ensure_checkin_access: 404 otherwise), the same sliding-window limits per user and per
device (checkin_rate_limit_consume; the device of a token is the token, that of a browser its
address), the same validation of the ID, the same selector for the answer, and the same row
in the lookup log, refused and mistyped lookups included."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.client_ip import client_ip
from incidents.models import normalise_candidate_id, validate_candidate_id
from incidents.selectors.checkin import ensure_checkin_access, restrictions_for_checkin
from incidents.services.checkin import checkin_lookup_log, checkin_rate_limit_consume

from ..models import PersonalToken
from ..serializers import CandidateStatusSerializer
from . import PortalAPIView


def _devices(request: Request) -> list[str]:
    """The token is the check-in system's device; a browser's lookup counts against its
    address, as the page counts a lookup without its device cookie."""
    if isinstance(request.auth, PersonalToken):
        return [f"api-token:{request.auth.pk}"]
    return [f"address:{client_ip(request._request)}"]


class CandidateStatus(PortalAPIView):
    @extend_schema(
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
        user = request.user
        ensure_checkin_access(user)
        allowance = checkin_rate_limit_consume(user=user, devices=_devices(request))
        if not allowance.allowed:
            checkin_lookup_log(
                user=user, candidate_id_entered=candidate_id, restricted=False, refused=True
            )
            raise exceptions.Throttled(wait=allowance.retry_after_seconds)
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

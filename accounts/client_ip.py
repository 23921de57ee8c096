"""The address a request came from, for rate limits and lockouts."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind our own TLS proxy the address that proxy saw.

    Only the rightmost X-Forwarded-For entry is trusted: our proxy appends it, while anything
    to its left came from the client and could be forged to dodge a lockout (or to lock
    somebody else out)."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")

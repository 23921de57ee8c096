"""The address a request came from, for rate limits and lockouts."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind our own proxies the address the outermost of them saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with
    TRUSTED_PROXY_COUNT proxies in front of the portal the client is that many entries from the
    right. Anything further left came from the client and could be forged to dodge a lockout
    (or to lock somebody else out). Counting one proxy too few would name the outer proxy for
    every client, and the lockout per address would lock out everybody at once: set the count
    to the proxies actually in front (a load balancer and nginx: 2)."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    # Fewer entries than proxies: the leftmost is the furthest any proxy saw.
    candidate = hops[max(0, len(hops) - proxies)]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # not an address (a misconfigured proxy): the connection's own peer
        return remote

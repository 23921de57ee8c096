"""Passkeys (django-otp-webauthn) for the portal's own address.

A passkey is bound to a relying party (a host name) and checked against the page's origin. In
production both come from SITE_URL, never from the request's Host header. Development and test
serve from whatever port they were given (a live test server's random one), so there
WEBAUTHN_ORIGIN_FROM_REQUEST takes them from the request, whose host ALLOWED_HOSTS checked."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django_otp_webauthn.helpers import WebAuthnHelper


def portal_origin(request) -> str:
    if settings.WEBAUTHN_ORIGIN_FROM_REQUEST:
        return f"{request.scheme}://{request.get_host()}"
    return settings.OTP_WEBAUTHN_ALLOWED_ORIGINS[0]


class PortalWebAuthnHelper(WebAuthnHelper):
    def get_relying_party_domain(self) -> str:
        return urlsplit(portal_origin(self.request)).hostname

    def get_allowed_origins(self) -> list[str]:
        return [portal_origin(self.request)]

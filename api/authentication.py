"""Who makes an API request: a personal token (other systems), or the browser's session.

A token request is not a session: no cookie, no CSRF, no idle timeout. It acts as the token's
owner, who made it from a fully signed-in session (her second factor included where one is
required: api/services.py). A session request is the browser's, and must be fully signed in
too: a session that still owes its second factor is refused here, as every page refuses it."""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, get_authorization_header

from mfa.gate import awaiting_second_factor

from .selectors import token_for_key
from .services import token_mark_used

logger = logging.getLogger(__name__)

KEYWORD = "Bearer"


class TokenRefused(exceptions.AuthenticationFailed):
    default_code = "token_refused"


class PersonalTokenAuthentication:
    """``Authorization: Bearer hp_<prefix>_<secret>``. A malformed, unknown, revoked or
    expired token is refused with 401 (never treated as anonymous), and the key itself is
    never logged: only its token's id, once the secret matched."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise TokenRefused(_("The Authorization header must be “Bearer” and one token."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise TokenRefused(_("This token is not valid.")) from None
        token = token_for_key(key)
        if token is None:
            raise TokenRefused(_("This token is not valid."))
        now = timezone.now()
        if token.revoked_at is not None:
            logger.info("API token %s refused: revoked", token.pk)
            raise TokenRefused(_("This token was revoked."))
        if token.expires_at <= now:
            logger.info("API token %s refused: expired", token.pk)
            raise TokenRefused(_("This token has expired."))
        if not token.user.is_active:
            raise TokenRefused(_("This token is not valid."))
        token_mark_used(token=token, at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        """401 rather than 403 for a request without credentials (DRF asks the first class)."""
        return f'{KEYWORD} realm="api"'


class SignedInSessionAuthentication(SessionAuthentication):
    """The browser's session (with DRF's CSRF check on writes), fully signed in only."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and awaiting_second_factor(request._request):
            raise exceptions.NotAuthenticated(
                _("Give your second factor first: this session is not fully signed in.")
            )
        return result

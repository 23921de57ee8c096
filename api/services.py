"""Writes of the API's own data: making and revoking personal tokens, and marking one used."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User

from .models import PersonalToken
from .tokens import new_key

logger = logging.getLogger(__name__)

# How often last_used_at is written: a token that calls every second must not cost a write
# per request, and "last used" to the minute is all the tokens page shows.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    token: PersonalToken
    key: str  # shown once, to her, and kept nowhere


def token_create(*, user: User, name: str, expires_at: datetime) -> NewToken:
    """A new token for ``user``. Only a fully signed-in session reaches the tokens page (the
    second factor's middleware holds a half-signed-in one at the factor step), so a token is
    never made with the password alone where a second factor is required."""
    key, prefix, digest = new_key()
    with transaction.atomic():
        token = PersonalToken.objects.create(
            user=user, name=name.strip(), prefix=prefix, digest=digest, expires_at=expires_at
        )
    # A new credential is a security event (ASVS 7.2): who, which token, until when; never
    # the key.
    logger.info("API token %s created for user %s, expires %s", token.pk, user.pk, expires_at)
    return NewToken(token=token, key=key)


def token_revoke(*, token: PersonalToken) -> PersonalToken:
    """Revoked at once and for good; revoking twice keeps the first time."""
    with transaction.atomic():
        revoked = PersonalToken.objects.filter(pk=token.pk, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db(fields=["revoked_at"])
    if revoked:
        logger.info("API token %s of user %s revoked", token.pk, token.user_id)
    return token


def token_mark_used(*, token: PersonalToken, at: datetime) -> None:
    """Note the use, at most once per LAST_USED_RESOLUTION. The condition is in the UPDATE, so
    that concurrent requests write it once between them rather than each reading stale."""
    stale = at - LAST_USED_RESOLUTION
    if token.last_used_at is not None and token.last_used_at > stale:
        return
    PersonalToken.objects.filter(
        Q(last_used_at=None) | Q(last_used_at__lte=stale), pk=token.pk
    ).update(last_used_at=at)
    token.last_used_at = at

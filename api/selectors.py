"""Reads of the API's own data: a person's tokens, and the token a request presents."""

from __future__ import annotations

import hmac

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from incidents.models import Notification, NotificationChannel
from incidents.selectors.reports import LIST_DEFERRED

from .models import PersonalToken
from .tokens import secret_digest, split_key


def tokens_of(user: User) -> QuerySet[PersonalToken]:
    """Her tokens, newest first (index api_token_user_created)."""
    return PersonalToken.objects.filter(user=user).order_by("-created_at", "-id")


def get_token_for_user(user: User, token_id: int) -> PersonalToken:
    """One of her tokens; 404 for another's, as for anything she may not see."""
    token = tokens_of(user).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    return token


def token_for_key(key: str) -> PersonalToken | None:
    """The token whose key this is, revoked or expired included (the caller tells her which);
    None for a key that is malformed, unknown, or whose secret does not match."""
    parts = split_key(key)
    if parts is None:
        return None
    prefix, secret = parts
    token = PersonalToken.objects.select_related("user").filter(prefix=prefix).first()
    # Compared in constant time, so that response times tell nothing of the digest.
    if token is None or not hmac.compare_digest(token.digest, secret_digest(secret)):
        return None
    return token


def escalation_notifications_for(user: User) -> QuerySet[Notification]:
    """The escalations she was told of in the portal (the bell's), newest first, each with its
    escalation and report reference. The recipient is the scope: only hers."""
    return (
        Notification.objects.filter(recipient=user, channel=NotificationChannel.PORTAL)
        .select_related("escalation__report", "escalation__rule")
        # Each names its report by its reference: the report's text stays unread.
        .defer(*(f"escalation__report__{name}" for name in ("narrative", *LIST_DEFERRED)))
        .order_by("-created_at", "-id")
    )

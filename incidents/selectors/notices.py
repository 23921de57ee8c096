"""A reporter's notices: hers only (the recipient is the scope; each links to her own
report, which she may always read)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from harassment_portal.keyset import Keyset

from ..models import ReporterNotice


def unread_notices_of(user: User) -> QuerySet[ReporterNotice]:
    """Her notices not read yet (the partial index of unread notices)."""
    return ReporterNotice.objects.filter(recipient=user, read_at=None)


def unread_notice_count(user: User) -> int:
    """The navbar's badge, when it is not counted with the bell (bell_and_notices)."""
    if not user.is_authenticated:
        return 0
    return unread_notices_of(user).count()


# Her notice page's order (the index of her notices, newest first), paged by cursor.
NOTICES_ORDER = Keyset(("created_at", "id"), descending=True)


def notices_for(user: User) -> QuerySet[ReporterNotice]:
    """Her notices, newest first, each with the reference of its report."""
    return (
        ReporterNotice.objects.filter(recipient=user)
        .select_related("report")
        .only("kind", "created_at", "read_at", "report__reference")
        .order_by("-created_at", "-id")
    )

"""Writes to accounts: users, centers and memberships."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from .models import Membership, TestCenter, User


def user_upsert(
    *,
    username: str,
    staff_code: str,
    password: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    is_superuser: bool = False,
    memberships: list[tuple[str, TestCenter | None]],
) -> User:
    """Create or update a user with exactly the given memberships (role, center)."""
    with transaction.atomic():
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={
                "staff_code": staff_code,
                "first_name": first_name,
                "last_name": last_name,
                "email": email,
                "is_staff": is_superuser,
                "is_superuser": is_superuser,
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        wanted = {(role, center.pk if center else None) for role, center in memberships}
        for membership in Membership.objects.filter(user=user):
            if (membership.role, membership.center_id) not in wanted:
                membership.delete()
        for role, center in memberships:
            Membership.objects.get_or_create(user=user, role=role, center=center)
    return user


def user_choose_language(*, user: User, language: str) -> None:
    """``user`` chose on her profile the language of her e-mails and notifications: it stays
    hers until she changes it there (sign-ins no longer touch it)."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"not a language of the portal: {language!r}")
    User.objects.filter(pk=user.pk).update(language=language, language_chosen=True)
    user.language, user.language_chosen = language, True


def user_language_at_sign_in(*, user: User, language: str) -> None:
    """The language ``user`` signed in with becomes that of her e-mails while she has never
    chosen one on her profile: a default that follows her, unlike the language switch, which
    on a shared tablet is whoever used it last."""
    if user.language_chosen or language not in dict(settings.LANGUAGES):
        return
    if user.language != language:
        User.objects.filter(pk=user.pk, language_chosen=False).update(language=language)
        user.language = language

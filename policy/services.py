"""Writes to the policy: one function per use case, one transaction each."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .models import (
    CandidateNoticeSettings,
    Category,
    PolicySection,
    PolicyVersion,
    PolicyVersionStatus,
)


class PolicyError(Exception):
    """A policy change that the rules do not allow; the message is for the user."""


def policy_version_create_draft(*, source: PolicyVersion, created_by: User) -> PolicyVersion:
    """A new draft that copies ``source``'s title and sections, numbered after the newest."""
    with transaction.atomic():
        # The lock serialises concurrent "new draft" clicks so that they get distinct numbers
        # (the unique constraint would otherwise turn the second into an error page).
        PolicyVersion.objects.select_for_update().filter(pk=source.pk).get()
        number = (PolicyVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
        draft = PolicyVersion.objects.create(
            number=number,
            title_ja=source.title_ja,
            title_en=source.title_en,
            based_on=source,
            created_by=created_by,
        )
        PolicySection.objects.bulk_create(
            PolicySection(
                version=draft,
                key=section.key,
                order=section.order,
                heading_ja=section.heading_ja,
                heading_en=section.heading_en,
                body_ja=section.body_ja,
                body_en=section.body_en,
            )
            for section in source.sections.all()
        )
    return draft


def policy_version_publish(*, version: PolicyVersion, published_by: User | None) -> PolicyVersion:
    """Put a draft in force and archive the version it replaces, atomically."""
    with transaction.atomic():
        version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != PolicyVersionStatus.DRAFT:
            raise PolicyError(_("Only a draft can be published."))
        if not version.sections.exists():
            raise PolicyError(_("A version needs at least one section before it is published."))
        # Lock the version in force so that two admins publishing at once cannot both archive
        # it and leave two published versions (the unique constraint would still refuse).
        current = list(
            PolicyVersion.objects.select_for_update().filter(status=PolicyVersionStatus.PUBLISHED)
        )
        for previous in current:
            previous.status = PolicyVersionStatus.ARCHIVED
            previous.save(update_fields=["status"])
        now = timezone.now()
        version.status = PolicyVersionStatus.PUBLISHED
        version.published_at = now
        version.published_by = published_by
        if version.effective_date is None:
            version.effective_date = timezone.localdate(now)
        version.save(update_fields=["status", "published_at", "published_by", "effective_date"])
    return version


def policy_seed(*, published_by: User | None) -> PolicyVersion | None:
    """Load the seed edition: the thirteen categories and, if no version exists yet, version 1
    published. Idempotent, and never overwrites what admins have edited since."""
    from . import seed_data

    with transaction.atomic():
        for order, category in enumerate(seed_data.CATEGORIES, start=1):
            Category.objects.get_or_create(
                code=category["code"], defaults={**category, "order": order * 10}
            )
        if PolicyVersion.objects.exists():
            return None
        version = PolicyVersion.objects.create(
            number=1,
            title_ja=seed_data.POLICY_TITLE["ja"],
            title_en=seed_data.POLICY_TITLE["en"],
            change_note="初版 / First edition",
            created_by=published_by,
        )
        PolicySection.objects.bulk_create(
            PolicySection(version=version, order=order * 10, **section)
            for order, section in enumerate(seed_data.POLICY_SECTIONS, start=1)
        )
        return policy_version_publish(version=version, published_by=published_by)


def candidate_notice_settings_seed(*, values: dict[str, str]) -> bool:
    """Fill in the notice settings with ``values`` if no one has yet; never overwrites what
    an admin has set. Answers whether it wrote them."""
    with transaction.atomic():
        _settings, created = CandidateNoticeSettings.objects.get_or_create(pk=1, defaults=values)
        return created

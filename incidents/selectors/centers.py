"""Test centers as names in a filter or a form."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import TestCenter


def test_centers() -> QuerySet[TestCenter]:
    """Every test center, by code: what an API filter may name. Naming a center narrows a
    list; which reports the list holds is still decided by the user's scope (the selectors
    the list starts from), so knowing a center's code reveals nothing."""
    return TestCenter.objects.order_by("code")

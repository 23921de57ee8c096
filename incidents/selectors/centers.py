"""Test centers as names in a filter or a form."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import TestCenter


def test_centers() -> QuerySet[TestCenter]:
    """Every test center, by code: what an API filter may name. Naming a center narrows a
    list; which reports the list holds is still decided by the user's scope (the selectors
    the list starts from), so knowing a center's code reveals nothing."""
    return TestCenter.objects.order_by("code")


def open_test_centers() -> QuerySet[TestCenter]:
    """The test centers in use, by code: those a new decision may name as its scope."""
    return TestCenter.objects.filter(active=True).order_by("code")

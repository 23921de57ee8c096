"""Reads about accounts. Who may do what is the capability policy's (accounts/policy.py)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Membership, User


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("center").order_by("role")

"""Reads of the disclosure log, scoped by the capability policy."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from accounts.policy import capabilities_of
from incidents.models import CaseFile

from .models import DisclosureLog


def case_file_disclosures(user: User, case_file: CaseFile) -> QuerySet[DisclosureLog] | None:
    """The disclosures of ``case_file`` for who records them; None for everyone else, who
    does not learn that the log exists."""
    if not capabilities_of(user).records_disclosures:
        return None
    return DisclosureLog.objects.filter(case_file=case_file).select_related("recorded_by")

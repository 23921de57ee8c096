"""Writes of the audit app: recording a disclosure to a third party. The case file page's
form calls it today; the PDF export of issue 13 will call it for what it hands over."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.policy import capabilities_of
from incidents.models import CaseFile
from incidents.selectors.access import visible_case_files

from .models import DisclosureLog, LegalBasis


class DisclosureError(Exception):
    """A disclosure that cannot be recorded; the message is for the user."""


@transaction.atomic
def disclosure_record(
    *,
    case_file: CaseFile,
    by: User,
    recipient_kind: str,
    recipient_name: str,
    legal_basis: str,
    disclosed: str,
    legal_basis_detail: str = "",
    disclosed_at: datetime | None = None,
) -> DisclosureLog:
    """Record that the data of ``case_file`` went to a third party. Only who may record
    disclosures, on a case file they may open; the row can never be changed afterwards (a
    mistake is corrected by a new record saying so)."""
    if not capabilities_of(by).records_disclosures or not (
        visible_case_files(by).filter(pk=case_file.pk).exists()
    ):
        raise DisclosureError(_("You may not record disclosures of this case file."))
    disclosed_at = disclosed_at or timezone.now()
    if disclosed_at > timezone.now():
        raise DisclosureError(_("A disclosure cannot be recorded before it happened."))
    if legal_basis == LegalBasis.OTHER and not legal_basis_detail.strip():
        raise DisclosureError(_("Explain the legal basis when it is none of those listed."))
    if not recipient_name.strip() or not disclosed.strip():
        raise DisclosureError(_("Say who received what."))
    return DisclosureLog.objects.create(
        case_file=case_file,
        recorded_by=by,
        recipient_kind=recipient_kind,
        recipient_name=recipient_name.strip(),
        legal_basis=legal_basis,
        legal_basis_detail=legal_basis_detail.strip(),
        disclosed=disclosed.strip(),
        disclosed_at=disclosed_at,
    )

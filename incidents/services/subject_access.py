"""Answering a candidate's request for the data held on them (APPI art. 33): the export is a
disclosure like any other, so it goes in the case file's disclosure log (the audit app's, the
one log of what left the portal) and on its timeline, in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import LegalBasis, RecipientKind
from audit.services import disclosure_record

from ..models import CaseFile, EventKind
from .timeline import record_event

# The candidate is the recipient; the basis is their own right of access, which APPI art. 27
# (third parties) does not list: "other", with the article named.
SUBJECT_ACCESS_BASIS = "APPI art. 33: disclosure to the person at their own request"


def subject_access_record(*, case_file: CaseFile, by: User, form: str) -> None:
    """``form`` says what was given: "json" or "printable page"."""
    with transaction.atomic():
        disclosure_record(
            case_file=case_file,
            by=by,
            recipient_kind=RecipientKind.OTHER,
            recipient_name=_("The candidate %(candidate_id)s (subject-access request)")
            % {"candidate_id": case_file.candidate.candidate_id},
            legal_basis=LegalBasis.OTHER,
            legal_basis_detail=SUBJECT_ACCESS_BASIS,
            disclosed=_(
                "Subject-access export (%(form)s): the candidate's record, reports, decisions; "
                "staff as staff codes, other people redacted"
            )
            % {"form": form},
        )
        record_event(EventKind.SUBJECT_ACCESS_EXPORTED, actor=by, case_file=case_file)

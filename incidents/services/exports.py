"""Exporting a case summary PDF for the police, the test organiser or a lawyer: a disclosure
to a third party (APPI art. 29), so every PDF that leaves is one row of the case file's
disclosure log, with who, when, to whom, on what basis and what it held."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.policy import capabilities_of
from audit.models import DisclosureLog
from audit.services import DisclosureError, disclosure_record

from ..exports.documents import CaseSummary, case_summary
from ..exports.pdf import pdf_from_template
from ..exports.redaction import RECIPIENT_PARTS
from ..models import CaseFile

# The disclosure log keeps at most 5,000 characters of "what was disclosed": a case file
# with hundreds of reports names the first ones and counts the rest.
REFERENCES_LISTED = 100


@dataclass(frozen=True)
class ExportedSummary:
    pdf: bytes
    filename: str
    disclosure: DisclosureLog


def case_summary_export(
    *,
    case_file: CaseFile,
    by: User,
    recipient_kind: str,
    recipient_name: str,
    legal_basis: str,
    language: str,
    legal_basis_detail: str = "",
) -> ExportedSummary:
    """The case summary of ``case_file`` for ``recipient_kind`` as a PDF in ``language``, and
    its disclosure record. One transaction: the PDF is rendered inside it, so that a PDF is
    handed out only when its record is written, and the record lists exactly the reports the
    PDF holds (read in the same transaction)."""
    if not capabilities_of(by).exports_case_summaries:
        raise DisclosureError(_("You may not export case summaries."))
    if recipient_kind not in RECIPIENT_PARTS:
        raise DisclosureError(_("Choose the police, the test organiser or a lawyer."))
    with transaction.atomic():
        with translation.override(language):
            summary = case_summary(by, case_file, recipient_kind=recipient_kind)
            pdf = pdf_from_template(
                "incidents/exports/case_summary.html",
                {"summary": summary, "language": language, "recipient_name": recipient_name},
            )
        disclosure = disclosure_record(
            case_file=case_file,
            by=by,
            recipient_kind=recipient_kind,
            recipient_name=recipient_name,
            legal_basis=legal_basis,
            legal_basis_detail=legal_basis_detail,
            disclosed=_what_was_disclosed(summary, language),
        )
    stamp = formats.date_format(timezone.localtime(summary.generated_at), "Ymd-His")
    filename = f"case-summary-{summary.candidate_id}-{recipient_kind}-{stamp}.pdf"
    return ExportedSummary(pdf=pdf, filename=filename, disclosure=disclosure)


def _what_was_disclosed(summary: CaseSummary, language: str) -> str:
    """The log's line, in the exporter's language (the PDF's may differ)."""
    references = summary.references[:REFERENCES_LISTED]
    more = len(summary.references) - len(references)
    listed = ", ".join(references) or "—"
    if more:
        listed += " " + _("and %(count)d more") % {"count": more}
    lines = [
        _("Case summary (PDF, %(language)s): reports %(references)s; %(decisions)d decisions")
        % {
            "language": translation.get_language_info(language)["name_local"],
            "references": listed,
            "decisions": len(summary.decisions),
        },
    ]
    if summary.evidence is not None:
        lines.append(
            _("%(count)d evidence files listed with their SHA-256 digests")
            % {"count": len(summary.evidence)}
        )
    if summary.included:
        lines.append(_("Included: %(parts)s") % {"parts": "; ".join(summary.included)})
    if summary.left_out:
        lines.append(_("Left out: %(parts)s") % {"parts": "; ".join(summary.left_out)})
    return "\n".join(lines)

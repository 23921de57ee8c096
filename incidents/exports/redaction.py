"""What each recipient of a case summary may see: one table, here, and nowhere else.

APPI asks that what goes to a third party is what the purpose needs, and DESIGN.md §8 that
staff names never leave the portal (staff are named by their codes, and free text is
redacted the same way as in the subject-access export). On top of that, each kind of
recipient gets only the parts below:

=====================  ======  ===============  ======
part                   police  test organiser   lawyer
=====================  ======  ===============  ======
candidate ID           yes     yes              yes
candidate identity     yes     no               yes
narrative              yes     no               yes
exact words            yes     no               yes
staff codes            yes     no               yes
evidence list          yes     no               yes
witnesses, injuries    yes     no               yes
decision rationale     no      no               yes
=====================  ======  ===============  ======

Always included: the dates, the center, the channel, the behaviours, what was demanded and
the two-part test (the demand's legitimacy, the manner), the severity, and the decisions
(outcome, state, period and scope). Never included: internal notes and the reviewers'
reasons (deliberation), the reporters' requests for support (their own care).

- The **police** investigate: who the candidate is and how to reach them, what happened in
  the words used, the evidence with its digests (chain of custody), who saw it and who was
  hurt, and which staff member (by code) can be asked; not the company's reasoning on its
  own measures (the decisions' rationale), which is deliberation, not evidence.
- The **test organiser** (the client) decides on its own candidate's exams: the candidate ID
  it issued, what was done and decided; no staff data, no exact words, no candidate contact
  (it has its own), no evidence.
- The company's **lawyer** advises on all of it: everything the case file holds.
"""

from __future__ import annotations

import enum

from django.utils.translation import gettext_lazy as _

from audit.models import RecipientKind


class Part(enum.StrEnum):
    CANDIDATE_IDENTITY = "candidate_identity"
    NARRATIVE = "narrative"
    EXACT_WORDS = "exact_words"
    STAFF_CODES = "staff_codes"
    EVIDENCE = "evidence"
    WITNESSES_AND_INJURIES = "witnesses_and_injuries"
    DECISION_RATIONALE = "decision_rationale"


# How each part is named in the disclosure log and on the form.
PART_LABELS = {
    Part.CANDIDATE_IDENTITY: _("the candidate's name and contact"),
    Part.NARRATIVE: _("what happened and how staff responded"),
    Part.EXACT_WORDS: _("the exact words used"),
    Part.STAFF_CODES: _("staff codes"),
    Part.EVIDENCE: _("the list of evidence files with their SHA-256 digests"),
    Part.WITNESSES_AND_INJURIES: _("witnesses and injuries"),
    Part.DECISION_RATIONALE: _("the rationale of the decisions"),
}

EVERYTHING = frozenset(Part)

# The recipients a case summary is made for, and what each may see (the table above).
RECIPIENT_PARTS: dict[str, frozenset[Part]] = {
    RecipientKind.POLICE: EVERYTHING - {Part.DECISION_RATIONALE},
    RecipientKind.TEST_ORGANISER: frozenset(),
    RecipientKind.LAWYER: EVERYTHING,
}

SUMMARY_RECIPIENTS = [(kind.value, kind.label) for kind in RecipientKind if kind in RECIPIENT_PARTS]


def parts_for(recipient_kind: str) -> frozenset[Part]:
    """What ``recipient_kind`` may see; a kind not in the table sees nothing beyond what
    every recipient gets (never everything by mistake)."""
    return RECIPIENT_PARTS.get(recipient_kind, frozenset())

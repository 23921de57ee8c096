"""What leaves the portal on paper or as a file (issue 13): the case summary PDF for the
police, the test organiser or a lawyer (redacted per recipient: :mod:`.redaction`), the
one-page record sheet of an incident, and the review queue as CSV. Each reads through the
selectors' scoping; each names staff by their staff codes only (DESIGN.md §8)."""

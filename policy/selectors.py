"""Reads of the policy for pages: the version in force, the history, and what changed."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.db.models import QuerySet

from .models import (
    CandidateNoticeSettings,
    Category,
    NoticeContact,
    PolicySection,
    PolicyVersion,
    PolicyVersionStatus,
    localized,
)


@dataclass(frozen=True)
class ShownSection:
    key: str
    heading: str
    body: str
    heading_is_fallback: bool
    body_is_fallback: bool

    @property
    def paragraphs(self) -> list[dict]:
        """The body as paragraphs and bullet lists, for templates."""
        blocks: list[dict] = []
        for chunk in re.split(r"\n\s*\n", self.body.strip()):
            lines = [line.strip() for line in chunk.splitlines() if line.strip()]
            if lines and all(line.startswith(("- ", "• ", "・")) for line in lines):
                items = [line.lstrip("-•・ ").strip() for line in lines]
                blocks.append({"bullets": items})
            elif lines:
                blocks.append({"text": " ".join(lines) if _is_latin(lines) else "".join(lines)})
        return blocks


def _is_latin(lines: list[str]) -> bool:
    return all(line.isascii() for line in lines)


def show_section(section: PolicySection) -> ShownSection:
    heading, heading_fallback = localized(section, "heading")
    body, body_fallback = localized(section, "body")
    return ShownSection(section.key, heading, body, heading_fallback, body_fallback)


def published_version() -> PolicyVersion | None:
    return (
        PolicyVersion.objects.filter(status=PolicyVersionStatus.PUBLISHED)
        .prefetch_related("sections")
        .first()
    )


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True)


def versions_for(*, include_drafts: bool) -> QuerySet[PolicyVersion]:
    versions = PolicyVersion.objects.select_related("published_by")
    if not include_drafts:
        versions = versions.exclude(status=PolicyVersionStatus.DRAFT)
    return versions


# --- What changed between two versions ---------------------------------------------------------

# ASCII words stay whole; every other character (Japanese has no spaces) is its own token.
_TOKEN = re.compile(r"[A-Za-z0-9']+|\s+|.", re.DOTALL)


@dataclass(frozen=True)
class DiffPiece:
    kind: str  # "same", "added" or "removed"
    text: str


@dataclass(frozen=True)
class SectionDiff:
    key: str
    heading: str
    state: str  # "same", "changed", "added" or "removed"
    pieces: list[DiffPiece]


def diff_text(old: str, new: str) -> list[DiffPiece]:
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    pieces: list[DiffPiece] = []
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(DiffPiece("same", "".join(old_tokens[a0:a1])))
            continue
        if a1 > a0:
            pieces.append(DiffPiece("removed", "".join(old_tokens[a0:a1])))
        if b1 > b0:
            pieces.append(DiffPiece("added", "".join(new_tokens[b0:b1])))
    return pieces


def diff_versions(old: PolicyVersion, new: PolicyVersion) -> list[SectionDiff]:
    """Section by section (matched by key), what changed in the user's language."""
    old_sections = {s.key: s for s in old.sections.all()}
    new_sections = {s.key: s for s in new.sections.all()}
    keys = list(new_sections) + [key for key in old_sections if key not in new_sections]
    diffs = []
    for key in keys:
        before, after = old_sections.get(key), new_sections.get(key)
        old_text = _section_text(before) if before else ""
        new_text = _section_text(after) if after else ""
        heading = show_section(after or before).heading
        if before is None:
            state = "added"
        elif after is None:
            state = "removed"
        else:
            state = "same" if old_text == new_text else "changed"
        diffs.append(SectionDiff(key, heading, state, diff_text(old_text, new_text)))
    return diffs


def _section_text(section: PolicySection) -> str:
    shown = show_section(section)
    return f"{shown.heading}\n\n{shown.body}"


def candidate_notice_contacts() -> dict[str, NoticeContact] | None:
    """The company's name, contact and appeal route for a notice to a candidate, by language
    ("ja", "en"); None until an admin has filled them in."""
    row = CandidateNoticeSettings.objects.first()
    if row is None:
        return None
    return {language: row.for_language(language) for language in ("ja", "en")}

"""Search of reports by reference, candidate ID or words of their text, Japanese included.

Why not PostgreSQL's full-text search or pg_trgm: the full-text parser splits words on
spaces and punctuation, and Japanese has neither between words, so "大声で暴言を繰り返した"
is one "word" and 暴言 is never found in it; pg_trgm indexes three-character pieces, so it
cannot serve a one- or two-character term, and most Japanese words that matter here are
that short (暴言, 殴る → 殴, 脅迫). Instead each report keeps ``search_tokens`` (a column that
PostgreSQL generates with ``hp_search_tokens``, migration 0007; it takes time linear in the
text, about 0.2 s for 100,000 characters, and the text is at most REPORT_TEXT_LIMIT per field):
every character, every pair of adjacent characters and every three adjacent Latin letters or
digits of its lower-cased free text (migration 0019: an English word's pairs are in nearly
every English report, its trigrams are not). A term is looked up by its own trigrams and pairs
(or by itself if it is one character) with ``@>``, which the GIN index
``report_search_tokens`` serves. The tokens say only that each piece occurs somewhere, so
an exact substring test then drops the reports where they occur apart (暴 in one sentence,
言 in another). It needs no extension, and works the same for Japanese, for Latin text and
for terms of any length."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import CANDIDATE_ID_PATTERN, Candidate, IncidentReport, normalise_candidate_id

REFERENCE_PATTERN = re.compile(r"^CH-?([0-9]{4})-?([0-9]{6})$")
# Dashes a Japanese keyboard or a pasted document may put in a reference (NFKC leaves them).
_DASHES = re.compile(r"[‐‑‒–—―−ー]")
# Three adjacent Latin letters or digits (lower-cased): hp_search_tokens stores them too
# (migration 0019).
_LATIN_TRIGRAM = re.compile(r"[a-z0-9]{3}", re.ASCII)
# The free-text fields ``hp_search_tokens`` reads.
TEXT_FIELDS = ("narrative", "demand", "exact_words")


@dataclass(frozen=True)
class ReportSearch:
    """What the text of a search box asks for, read once: a reference, or words (and the
    candidates whose ID the text is)."""

    reference: str | None = None
    words: tuple[str, ...] = ()
    candidate_pks: tuple[int, ...] = ()

    def filter(
        self, queryset: QuerySet[IncidentReport], *, through_index: bool = True
    ) -> QuerySet[IncidentReport]:
        """The reports of ``queryset`` the search finds. ``through_index=False`` tests the
        words on each report's text alone, without the tokens: for reports that are already
        few (a window of the queue), where the GIN index would fetch every report holding
        them, and a common word is in tens of thousands."""
        return queryset.filter(self.condition(through_index=through_index))

    def condition(self, *, through_index: bool = True) -> Q:
        """What a report the search finds satisfies (see ``filter``)."""
        if self.reference:
            return Q(reference=self.reference)
        if not self.words:
            return Q()
        found = text_matches(self.words, through_index=through_index)
        if self.candidate_pks:
            # The candidates' primary keys, not a join or a subquery: the OR then joins two
            # conditions on the report table that each have an index (the candidate foreign
            # key and the GIN tokens), which PostgreSQL combines in a BitmapOr.
            found |= Q(candidate_id__in=self.candidate_pks)
        return found


def parse_search(text: str) -> ReportSearch:
    """``text`` as a search; looks up the candidate it names, if it looks like an ID."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    reference = as_reference(text)
    if reference:
        return ReportSearch(reference=reference)
    candidate_pks: tuple[int, ...] = ()
    candidate_id = normalise_candidate_id(text)
    if CANDIDATE_ID_PATTERN.match(candidate_id):
        candidate_pks = tuple(
            Candidate.objects.filter(candidate_id=candidate_id).values_list("pk", flat=True)
        )
    return ReportSearch(words=tuple(text.lower().split()), candidate_pks=candidate_pks)


def search_reports(queryset: QuerySet[IncidentReport], text: str) -> QuerySet[IncidentReport]:
    """The reports of ``queryset`` that ``text`` finds: a reference finds that report; a
    candidate ID finds that candidate's reports as well as the reports whose text holds
    it; anything else finds the reports whose text holds every word of it."""
    return parse_search(text).filter(queryset)


def as_reference(text: str) -> str | None:
    """``text`` as a reference number (``CH-YYYY-NNNNNN``), if it is one: case, full-width
    characters and the hyphens may vary."""
    normalised = _DASHES.sub("-", unicodedata.normalize("NFKC", text).strip().upper())
    match = REFERENCE_PATTERN.match(normalised)
    return f"CH-{match[1]}-{match[2]}" if match else None


def text_matches(words: tuple[str, ...], *, through_index: bool = True) -> Q:
    """The condition for reports whose text holds every one of ``words`` (lower-cased):
    the tokens narrow the reports down through the GIN index (unless ``through_index`` is
    false), the substring test confirms each word."""
    tokens: list[str] = []
    confirmed = Q()
    for word in words:
        tokens.extend(token for token in search_tokens(word) if token not in tokens)
        # A word without case (Japanese, digits) is looked for as it is: upper-casing each
        # report's text to compare it was most of the time of testing 2,000 reports of the
        # queue's order (3 of 5 ms at a million, the count of a search's tabs), and finds
        # nothing more.
        lookup = "contains" if word.upper() == word.lower() else "icontains"
        confirmed &= Q(
            *(Q(**{f"{field}__{lookup}": word}) for field in TEXT_FIELDS), _connector=Q.OR
        )
    return Q(search_tokens__contains=tokens) & confirmed if through_index else confirmed


def search_tokens(word: str) -> list[str]:
    """The tokens ``hp_search_tokens`` stores that a report holding ``word`` must have, the
    most selective ones: the word itself if it is one character; each three adjacent Latin
    letters or digits (the pairs of English words are in nearly every English report); each
    pair of adjacent characters that no such three hold (Japanese, or a two-letter word)."""
    if len(word) == 1:
        return [word]
    starts = [i for i in range(len(word) - 2) if _LATIN_TRIGRAM.fullmatch(word[i : i + 3])]
    covered = {i for start in starts for i in (start, start + 1)}  # pairs inside a trigram
    tokens = [word[i : i + 3] for i in starts]
    tokens += [word[i : i + 2] for i in range(len(word) - 1) if i not in covered]
    return [token for token in dict.fromkeys(tokens) if not any(c.isspace() for c in token)]

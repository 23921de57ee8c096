"""Keyset pagination: a page starts after the last row of the page before it, found in the
index of the list's order, instead of after OFFSET rows counted from the top.

Why: OFFSET reads and throws away every row before the page, so the 500th page of the review
queue read 12,500 rows to show 25, and a report filed meanwhile shifted every page by one
(a row shown twice, or never). A cursor names the last row shown by its values in the order
(``severity_rank``, ``submitted_at``, ``id``): the next page is the rows after it, ``ROW(…) >
ROW(…)``, which PostgreSQL reads as the start of an index range when an index has those
columns in that order. The order must end in a unique column (the primary key), all its
columns ascending or all descending (a row comparison has one direction), none nullable.
There is no page count: the lists that page this way show "next" and "previous" links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, QuerySet, Value
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual
from django.utils import timezone

# Between the values of a cursor: it occurs in neither an ISO date and time nor a number.
_SEPARATOR = "_"


@dataclass(frozen=True)
class Keyset:
    """An order rows can be paged by: model fields, the last one unique."""

    fields: tuple[str, ...]
    descending: bool = False

    def order_by(self) -> list[str]:
        return [f"-{name}" if self.descending else name for name in self.fields]

    def cursor(self, row: models.Model) -> str:
        """Where ``row`` stands in the order, as text for a URL."""
        return _SEPARATOR.join(_as_text(getattr(row, name)) for name in self.fields)

    def values(self, model: type[models.Model], cursor: str | None) -> list[Any] | None:
        """The values a cursor names; None for anything that is not a cursor of this order
        (a hand-edited URL starts again at the first page)."""
        parts = (cursor or "").replace(" ", "+").split(_SEPARATOR)
        if len(parts) != len(self.fields):
            return None
        values = []
        for name, text in zip(self.fields, parts, strict=True):
            field = _field(model, name)
            try:
                value = field.to_python(text)
                # An integer beyond the column's range would be PostgreSQL's error, not ours.
                field.run_validators(value)
            except (ValidationError, ValueError, OverflowError):
                return None
            if value is None or (isinstance(value, datetime) and timezone.is_naive(value)):
                return None
            values.append(value)
        return values

    def beyond(self, values: Sequence[Any], *, forward: bool) -> GreaterThan | LessThan:
        """The rows after (``forward``) or before the row with ``values``, as one row
        comparison that an index on the fields serves."""
        row = Func(*(F(name) for name in self.fields), function="ROW", output_field=_ROW)
        cursor = Func(*(Value(value) for value in values), function="ROW", output_field=_ROW)
        later = forward != self.descending
        return GreaterThan(row, cursor) if later else LessThan(row, cursor)

    def up_to(self, values: Sequence[Any]) -> LessThanOrEqual | GreaterThanOrEqual:
        """The rows up to the row with ``values`` in this order, itself included."""
        row = Func(*(F(name) for name in self.fields), function="ROW", output_field=_ROW)
        cursor = Func(*(Value(value) for value in values), function="ROW", output_field=_ROW)
        return GreaterThanOrEqual(row, cursor) if self.descending else LessThanOrEqual(row, cursor)


# The type Django is told a ROW(…) has: any field, since it is only ever compared.
_ROW = models.Field()


@dataclass(frozen=True)
class KeysetPage:
    """One page of rows, and the cursors of the pages beside it (None: there is none)."""

    object_list: list
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def keyset_page(
    queryset: QuerySet,
    keyset: Keyset,
    *,
    per_page: int,
    after: str | None = None,
    before: str | None = None,
) -> KeysetPage:
    """The ``per_page`` rows of ``queryset`` after the cursor ``after`` (or before the cursor
    ``before``; the first page without either), in ``keyset``'s order, in one query: one row
    more than the page is read to know whether another page follows."""
    model = queryset.model
    start = keyset.values(model, after)
    end = keyset.values(model, before) if start is None else None
    if end is not None:
        # Read backwards from the cursor, then turn the rows round.
        backwards = Keyset(keyset.fields, descending=not keyset.descending)
        rows = list(
            queryset.filter(keyset.beyond(end, forward=False)).order_by(*backwards.order_by())[
                : per_page + 1
            ]
        )
        more_before = len(rows) > per_page
        rows = rows[:per_page][::-1]
        return KeysetPage(
            rows,
            next_cursor=keyset.cursor(rows[-1]) if rows else None,
            previous_cursor=keyset.cursor(rows[0]) if rows and more_before else None,
        )
    if start is not None:
        queryset = queryset.filter(keyset.beyond(start, forward=True))
    rows = list(queryset.order_by(*keyset.order_by())[: per_page + 1])
    more_after = len(rows) > per_page
    rows = rows[:per_page]
    return KeysetPage(
        rows,
        next_cursor=keyset.cursor(rows[-1]) if more_after else None,
        previous_cursor=keyset.cursor(rows[0]) if rows and start is not None else None,
    )


def _field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    # A generated column is read as what it computes.
    return field.output_field if isinstance(field, models.GeneratedField) else field


def _as_text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)

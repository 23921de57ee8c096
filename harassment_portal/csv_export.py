"""CSV exports that spreadsheets open safely: streamed row by row (a large export never holds
the whole result in memory), UTF-8 with a byte-order mark (Excel in Japan reads a file without
one as Shift-JIS), and every cell that a spreadsheet would run as a formula neutralised.

Used by every CSV download (the audit trail, the review queue, the dashboard tables)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

from .routers import reporting_stream

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection):
# such a cell is written with a leading apostrophe, which shows it as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

BYTE_ORDER_MARK = "\ufeff"


def neutralised(cell: object) -> str:
    text = "" if cell is None else str(cell)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write() hands the formatted line back (csv writes to it)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The header (after the byte-order mark) and every row as CSV text, cells neutralised."""
    writer = csv.writer(_Echo())
    yield BYTE_ORDER_MARK + writer.writerow([neutralised(cell) for cell in header])
    for row in rows:
        yield writer.writerow([neutralised(cell) for cell in row])


def csv_response(
    header: Iterable[object], rows: Iterable[Iterable[object]], *, filename: str
) -> StreamingHttpResponse:
    """A streamed CSV download named ``filename``; ``rows`` is consumed lazily, reading from
    the read replica if there is one (harassment_portal/routers.py)."""
    response = StreamingHttpResponse(
        csv_lines(header, reporting_stream(rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

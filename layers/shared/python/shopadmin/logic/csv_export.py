"""CSV exports of the grids (SPEC 7): every row a filter selects, as one spreadsheet-safe file.

The rows come from the same paged reads as the grid itself (same filters, sort and website
scope), page after page, so an export can never show what the grid would not. The cost is
bounded: past `MAX_ROWS` the export stops reading and asks for a narrower filter.
Quoting is Python's `csv` module (RFC 4180: quotes doubled, fields with commas, quotes or line
breaks quoted, CRLF rows); cells a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from shopadmin.errors import InvalidRequest

MAX_ROWS = 10_000
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (OWASP "CSV injection"); tab and carriage return start one in some of them too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = TypeVar("Row")
Page = tuple[list[Row], str | None]


class TooManyRows(InvalidRequest):
    """The filter selects more rows than one export may hold."""


def collect_rows(read_page: Callable[[str | None], Page[Row]], max_rows: int | None = None) -> list[Row]:
    """Every row of a paged read, following `next_cursor` from the first page.

    `read_page(cursor)` returns `(rows, next_cursor)`. Reads stop as soon as more than
    `max_rows` (default MAX_ROWS) rows are seen: raises TooManyRows (422) rather than reading on.
    """
    max_rows = MAX_ROWS if max_rows is None else max_rows
    rows: list[Row] = []
    cursor: str | None = None
    while True:
        page, cursor = read_page(cursor)
        rows.extend(page)
        if len(rows) > max_rows:
            raise TooManyRows(f"More than {max_rows:,} rows match: narrow the filter (website, group or search) "
                              "and export again",
                              [{"field": "query", "reason": f"the export holds at most {max_rows:,} rows",
                                "code": "too_many_rows"}])
        if not cursor or not page:
            return rows


def safe_cell(value: Any) -> str:
    """A cell's text: empty for null, and a leading `'` before anything a spreadsheet runs as a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """A header row of `columns`, then one row per mapping (missing keys are empty cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(column)) for column in columns])
    return buffer.getvalue()

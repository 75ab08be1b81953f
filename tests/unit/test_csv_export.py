"""CSV export rules (SPEC 7): RFC 4180 quoting by the csv module, formula-safe cells, a row cap."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shopadmin.logic import csv_export
from shopadmin.logic.csv_export import TooManyRows, collect_rows, safe_cell, to_csv


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_commas_quotes_line_breaks_and_non_ascii_survive_a_round_trip() -> None:
    rows = [{"id": "c-1", "name": 'O"Brien, Jr.', "note": "line one\r\nline two", "city": "Zürich 東京 🙂"}]
    text = to_csv(["id", "name", "note", "city"], rows)
    assert text.startswith("id,name,note,city\r\n")
    assert '"O""Brien, Jr."' in text  # quotes doubled, field quoted (RFC 4180)
    assert parse(text) == [["id", "name", "note", "city"], ["c-1", 'O"Brien, Jr.', "line one\r\nline two",
                                                             "Zürich 東京 🙂"]]


@pytest.mark.parametrize("value", ["=1+2", "+33 1 23", "-5.00", "@SUM(A1)", "\t=cmd", "\r=cmd",
                                   '=HYPERLINK("http://x","y")'])
def test_cells_a_spreadsheet_would_run_are_prefixed(value: str) -> None:
    assert safe_cell(value) == "'" + value
    assert parse(to_csv(["v"], [{"v": value}]))[1] == ["'" + value]


@pytest.mark.parametrize(("value", "cell"), [(None, ""), (True, "true"), (3, "3"), ("a=b", "a=b"), ("", "")])
def test_other_cells_are_kept_as_they_are(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_any_text_round_trips_except_for_the_formula_prefix(values: list[str]) -> None:
    columns = [f"c{i}" for i in range(len(values))]
    parsed = parse(to_csv(columns, [dict(zip(columns, values, strict=True))]))
    assert parsed[0] == columns
    expected = [("'" + v if v.startswith(csv_export.FORMULA_STARTS) else v) for v in values]
    assert parsed[1] == expected


def pages(total: int, size: int):
    """A paged read of `total` numbered rows; records which cursors were asked."""
    asked: list[str | None] = []

    def read(cursor: str | None) -> tuple[list[int], str | None]:
        asked.append(cursor)
        start = int(cursor or 0)
        end = min(start + size, total)
        return list(range(start, end)), (str(end) if end < total else None)

    return read, asked


def test_collect_rows_follows_cursors_to_the_end() -> None:
    read, asked = pages(25, 10)
    assert collect_rows(read, max_rows=100) == list(range(25))
    assert asked == [None, "10", "20"]


def test_exactly_the_cap_is_allowed_and_one_more_is_refused_without_reading_on() -> None:
    read, _ = pages(30, 10)
    assert len(collect_rows(read, max_rows=30)) == 30
    read, asked = pages(1_000, 10)
    with pytest.raises(TooManyRows) as refused:
        collect_rows(read, max_rows=30)
    assert refused.value.status == 422
    assert refused.value.details[0]["field"] == "query"
    assert asked == [None, "10", "20", "30"]  # stopped at the page that passed the cap


def test_the_default_cap_is_ten_thousand_rows() -> None:
    read, _ = pages(10_001, 200)
    with pytest.raises(TooManyRows):
        collect_rows(read)

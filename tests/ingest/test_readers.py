"""The streaming readers: physical line numbers, and the problems they find on their own."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sources import CsvReader, NdjsonReader


def csv_rows(path: Path) -> list[tuple[int, object, list[str]]]:
    """Return (line, values, issues as text) for every row a CSV reader yields."""
    reader = CsvReader(path)
    try:
        return [(row.line, row.values, [str(i) for i in row.issues or ()]) for row in reader]
    finally:
        reader.close()


def ndjson_rows(path: Path) -> list[tuple[int, object, list[str]]]:
    """Return (line, values, issues as text) for every row an NDJSON reader yields."""
    reader = NdjsonReader(path)
    try:
        return [(row.line, row.values, [str(i) for i in row.issues or ()]) for row in reader]
    finally:
        reader.close()


def test_csv_reader_counts_physical_lines_across_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b'\xef\xbb\xbfid,note\n1,"two\nlines"\n\n2,x\r\n')
    reader = CsvReader(path)
    assert reader.header == ("id", "note")
    assert [(row.line, row.values) for row in reader] == [
        (2, ["1", "two\nlines"]),
        (5, ["2", "x"]),
    ]
    reader.close()


def test_csv_reader_flags_wrong_field_counts(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,a,b\n1,2\n3,4,5,6\n7,8,9\n")
    assert [issues for _line, _values, issues in csv_rows(path)] == [
        ["a.csv:2:b: row has 2 of 3 fields"],
        ["a.csv:3: row has 4 fields, header 3"],
        [],
    ]


def test_csv_reader_accepts_full_last_line_without_line_end(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,a\n1,2")
    assert csv_rows(path) == [(2, ["1", "2"], [])]


def test_csv_reader_flags_unterminated_quote_at_end(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('id,a\n1,"open')
    assert csv_rows(path) == [(2, None, ["a.csv:2: unterminated quoted field at end of file"])]


def test_csv_reader_reports_bad_header_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"id,\xffname\n1,2\n")
    assert csv_rows(path) == [(0, None, ["a.csv:1: not valid UTF-8"])]


def test_ndjson_reader_reports_each_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "Patient.ndjson"
    path.write_bytes(
        b'{"resourceType": "Patient", "id": "1"}\n'
        b"[1, 2]\n"
        b"\n"
        b'{"resourceType": "Patient", "id": "\xff"}\n'
        b"{oops}\n"
        b'{"resourceType": "Patient", "id": "2"'
    )
    assert ndjson_rows(path) == [
        (1, {"resourceType": "Patient", "id": "1"}, []),
        (2, None, ["Patient.ndjson:2: not a JSON object"]),
        (4, None, ["Patient.ndjson:4: not valid UTF-8"]),
        (5, None, ["Patient.ndjson:5: not valid JSON"]),
        (6, None, ["Patient.ndjson:6: truncated last line (no line end and unterminated JSON)"]),
    ]


def test_ndjson_reader_reports_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "Patient.ndjson"
    path.write_bytes(b"\n")
    assert ndjson_rows(path) == [(0, None, ["Patient.ndjson: empty file (no resources)"])]


cell = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\x00"), max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(cell, cell), min_size=1, max_size=8))
def test_csv_reader_line_numbers_match_line_breaks(tmp_path_factory: object, rows: list) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["a", "b"])
    starts = []
    for row in rows:
        starts.append(buffer.getvalue().count("\n") + 1)
        writer.writerow(row)
    path = Path(str(tmp_path_factory.mktemp("csv"))) / "p.csv"  # type: ignore[attr-defined]
    path.write_text(buffer.getvalue(), encoding="utf-8")
    read = [(line, values) for line, values, _issues in csv_rows(path)]
    assert read == [(start, list(row)) for start, row in zip(starts, rows, strict=True)]


def test_ndjson_reader_streams_large_files_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "Observation.ndjson"
    with path.open("wb") as handle:
        for number in range(5000):
            handle.write(orjson.dumps({"resourceType": "Observation", "id": str(number)}) + b"\n")
    lines = [line for line, _values, _issues in ndjson_rows(path)]
    assert lines == list(range(1, 5001))


def test_csv_reader_recovers_after_a_malformed_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('id,a\n1,"b"c\n2,3\n')
    assert csv_rows(path) == [
        (2, None, ["a.csv:2: malformed CSV row (stray quote or a field over 128 KiB)"]),
        (3, ["2", "3"], []),
    ]

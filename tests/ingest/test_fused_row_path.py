"""The fused row path changes nothing but speed: for every row of every example export (CSV and
FHIR NDJSON, the reference and the Helsebit mappings with code tables, defaults, filters, units,
time columns and derived ids) and for rows broken at random, ``RowPath.outcome`` gives exactly what
the general step-by-step path gives — the same store row (values and column order), ``row_hash``,
record keys and patient, or the same located issues, the same skip or erasure."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.deid import Deidentifier, Pseudonymiser
from app.deid.record_keys import RecordKeyer
from app.ingest.plan import plan_export
from app.ingest.row_path import RowPath, readable
from app.linkage import LinkageTokeniser
from app.mapping import JoinIndex
from app.package_data import data_path
from app.profiles import RECORD_FIELDS, RecordValidator
from app.sources import open_source, unnest
from app.synth import write_synthetic_export

SECRET = b"test pseudonym secret: 32+ bytes, never a real one"
LINKAGE_SECRET = b"test linkage secret, 32 bytes or more!!"
EXAMPLES = data_path("mappings/examples")

# Values that break one rule or another (or none), put into any column of a good row.
NASTY = [
    "",
    " ",
    "x",
    "0",
    "-1",
    "1e400",
    "nan",
    "inf",
    "1_000",
    "3.5",
    "12,5",
    "99999999",
    "2024-02-30",
    "2024-03-01T10:00:00+01:00",
    "1899-12-31",
    "2150-01-01",
    "1979",
    "1979-13",
    "17.04.1979",
    "10:30",
    "ketamine",
    "iv",
    "yes",
    "no",
    "female",
    "F33.2",
    "MADRS",
    "SBP",
    "mg",
    "lb",
    "g",
    "ÆØÅ",
    "  padded  ",
    "PX-0001",
]


def _row_paths(
    export: Path, mapping: Path | None, *, tokeniser: bool, erased: frozenset[str]
) -> Iterator[tuple[RowPath, list[tuple[Any, int]]]]:
    """Yield, per file of ``export``, its row path and its readable rows (values, line)."""
    plan = plan_export([export], mapping=mapping, timezone="Europe/Oslo")
    pseudonymiser = Pseudonymiser(SECRET)
    deid = Deidentifier(
        pseudonymiser,
        RECORD_FIELDS,
        tokeniser=LinkageTokeniser(LINKAGE_SECRET) if tokeniser else None,
    )
    for kind, files in plan.files.items():
        record = plan.mapping.records[kind]
        joins: dict[str, JoinIndex] = {}
        for alias, paths in plan.join_files.get(kind, {}).items():
            index = joins[alias] = record.new_join_index(alias)
            source = record.joins[alias].source
            for path in paths:
                reader = open_source(path, fmt=source.format, delimiter=source.delimiter)
                index.header = reader.header
                key, _missing = record.join_key_getter(alias, reader.header)
                for row in reader:
                    if readable(row):
                        index.add(key, row.values, reader.name, row.line)
                reader.close()
        for path in files:
            reader = open_source(path, fmt=record.source.format, delimiter=record.source.delimiter)
            mapper, errors, _warnings = record.bind(path.name, reader.header, joins)
            assert mapper is not None, errors
            rows = reader if record.source.each is None else unnest(reader, record.source.each)
            good = [(row.values, row.line) for row in rows if readable(row)]
            reader.close()
            keys = RecordKeyer(SECRET)
            yield RowPath(kind, mapper, deid, RecordValidator(), keys, erased), good


def _erased_patient(export: Path, mapping: Path | None) -> frozenset[str]:
    """The pseudonym of the first patient of ``export`` (its rows become erased rows)."""
    for row_path, rows in _row_paths(export, mapping, tokeniser=False, erased=frozenset()):
        if row_path.kind == "patient":
            outcome = row_path.general_outcome(*rows[0])
            assert isinstance(outcome, tuple)
            return frozenset({outcome[1]})
    raise AssertionError("no patient file")


def _same(row_path: RowPath, values: Any, line: int) -> Any:
    fast = row_path.outcome(values, line)
    general = row_path.general_outcome(values, line)
    assert fast == general
    if isinstance(fast, tuple):
        assert isinstance(general, tuple)
        assert list(fast[0]) == list(general[0])  # column order too (row_hash reads it)
    return fast


def _exports(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path | None]]:
    synthetic = tmp_path_factory.mktemp("fused")
    write_synthetic_export(country="NO", patients=40, seed=5, out_dir=synthetic, formats="both")
    return [
        (EXAMPLES / "reference-csv", None),
        (EXAMPLES / "helsebit-csv", EXAMPLES / "helsebit-csv.yaml"),
        (EXAMPLES / "fhir-r4-bulk", None),
        (synthetic / "csv", None),
        (synthetic / "fhir", None),
    ]


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path | None]]:
    """The example exports and a synthetic one in both formats, with their mappings."""
    return _exports(tmp_path_factory)


@pytest.mark.parametrize("tokeniser", [False, True])
def test_every_example_row_has_the_same_outcome(
    exports: list[tuple[Path, Path | None]], tokeniser: bool
) -> None:
    fused_rows = 0
    for export, mapping in exports:
        erased = _erased_patient(export, mapping)
        kinds = set()
        for row_path, rows in _row_paths(export, mapping, tokeniser=tokeniser, erased=erased):
            kinds.add(row_path.kind)
            for values, line in rows:
                _same(row_path, values, line)
                if row_path._fused is not None and row_path._fused(values) is not None:
                    fused_rows += 1
        assert "patient" in kinds and "administration" in kinds
    assert fused_rows > 500  # the fast path did the good rows of the CSV exports


def _csv_row_paths(
    exports: list[tuple[Path, Path | None]],
) -> list[tuple[RowPath, list[tuple[Any, int]]]]:
    found = []
    for export, mapping in exports:
        if any(export.glob("*.csv")):
            erased = _erased_patient(export, mapping)
            found.extend(_row_paths(export, mapping, tokeniser=True, erased=erased))
    return found


@pytest.fixture(scope="module")
def csv_row_paths(
    exports: list[tuple[Path, Path | None]],
) -> list[tuple[RowPath, list[tuple[Any, int]]]]:
    """Row paths (with their rows) of the CSV exports, which the fused path covers."""
    return _csv_row_paths(exports)


def test_each_nasty_value_in_each_column_has_the_same_outcome(
    csv_row_paths: list[tuple[RowPath, list[tuple[Any, int]]]],
) -> None:
    rejected = 0
    for row_path, rows in csv_row_paths:
        for values, line in rows[:3]:
            for column in range(len(values)):
                for nasty in NASTY:
                    broken = list(values)
                    broken[column] = nasty
                    rejected += isinstance(_same(row_path, broken, line), list)
    assert rejected > 1000  # most of them break a rule


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_broken_rows_have_the_same_outcome(
    csv_row_paths: list[tuple[RowPath, list[tuple[Any, int]]]], data: st.DataObject
) -> None:
    row_path, rows = data.draw(st.sampled_from(csv_row_paths))
    values, line = data.draw(st.sampled_from(rows))
    values = list(values)
    for _ in range(data.draw(st.integers(1, 3))):
        column = data.draw(st.integers(0, len(values) - 1))
        values[column] = data.draw(st.sampled_from(NASTY) | st.text(max_size=6))
    _same(row_path, values, line)


def test_fused_path_covers_the_bench_export(tmp_path: Path) -> None:
    """Good rows of the reference CSV layout never take the general path (and a bad one does)."""
    rows = list(csv.reader((EXAMPLES / "reference-csv" / "administrations.csv").open()))
    for row_path, good in _row_paths(
        EXAMPLES / "reference-csv", None, tokeniser=False, erased=frozenset()
    ):
        if row_path.kind != "administration":
            continue
        assert row_path._fused is not None
        assert all(row_path._fused(values) is not None for values, _line in good)
        broken = list(good[0][0])
        broken[rows[0].index("dose_mg")] = "lots"
        assert row_path._fused(broken) is None
        issues = row_path.outcome(broken, 2)
        assert isinstance(issues, list) and [i.rule for i in issues] == ["not a number"]
        assert issues[0].field == "dose_mg" and issues[0].line == 2
        return
    raise AssertionError("no administration file")

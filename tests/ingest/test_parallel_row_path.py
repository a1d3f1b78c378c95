"""Worker processes change nothing but speed: the same export ingested with ``workers`` and without
gives the same store, the same report and the same issues in the same order — for CSV and FHIR
NDJSON, with bad rows, duplicates, unknown patients and an erased patient among them — and no worker
outlives its ingest, also when the ingest fails half-way."""

from __future__ import annotations

import csv
import multiprocessing
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

import app.ingest.pipeline as pipeline_module
import app.ingest.row_path as row_path_module
from app.ingest import IngestRejected, ingest_export
from app.store import create_store_engine, upgrade_schema
from app.store.writer import StoreWriter
from app.synth import write_synthetic_export
from tests.ingest.support import SECRET, erase

TABLES = ("patient", "administration", "observation", "adverse_event", "dispense", "review")
pytestmark = pytest.mark.skipif(not row_path_module.can_fork(), reason="needs fork (Linux)")


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hand rows to the workers after a few rows, in small odd-sized chunks (many boundaries)."""
    monkeypatch.setattr(pipeline_module, "PARALLEL_AFTER", 7)
    monkeypatch.setattr(row_path_module, "CHUNK_ROWS", 13)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic export in both formats; its CSV administrations carry bad rows of every sort."""
    folder = tmp_path_factory.mktemp("parallel")
    write_synthetic_export(country="NO", patients=60, seed=11, out_dir=folder, formats="both")
    path = folder / "csv" / "administrations.csv"
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    column = {name: index for index, name in enumerate(header)}
    bad_date = list(body[40])
    bad_date[column["administration_id"]] = "BAD-DATE"
    bad_date[column["administered_at"]] = "2024-02-30T10:00:00Z"
    unknown = list(body[41])
    unknown[column["administration_id"]] = "UNKNOWN-PATIENT"
    unknown[column["patient_id"]] = "NOBODY-0000"
    erased = _first_patient(folder / "csv", "csv")
    duplicate = list(next(row for row in body if row[column["patient_id"]] != erased))
    body[60:60] = [bad_date, unknown, duplicate]
    with path.open("w", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerows([header, *body[:100]])
        handle.write("short,row\n")  # wrong field count: the reader's own issue
        out.writerows(body[100:])
    return folder


def _store(tmp_path: Path, name: str) -> Engine:
    engine = create_store_engine(f"sqlite:///{tmp_path / name}")
    upgrade_schema(engine)
    return engine


def _contents(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table: [
                tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
            ]
            for table in TABLES
        }


def _ingest(engine: Engine, source: Path, workers: int, rejects: Path, **options: Any) -> Any:
    report = ingest_export(
        engine=engine,
        paths=[source],
        secret=SECRET,
        timezone="Europe/Oslo",
        skip_invalid=True,
        rejects_path=rejects,
        clock=lambda: 1_700_000_000.0,
        workers=workers,
        **options,
    )
    assert multiprocessing.active_children() == []
    return report


@pytest.mark.parametrize("layout", ["csv", "fhir"])
def test_workers_store_and_report_exactly_what_one_process_does(
    tmp_path: Path, export: Path, layout: str
) -> None:
    source = tmp_path / layout
    shutil.copytree(export / layout, source)
    results = {}
    for workers in (0, 1, 3):
        engine = _store(tmp_path, f"store-{workers}.db")
        # The first patient withdrew before this ingest: their rows are counted as erased.
        first = _ingest(engine, source, workers, tmp_path / f"first-{workers}.csv")
        erase(engine, _first_patient(source, layout))
        report = _ingest(engine, source, workers, tmp_path / f"rejects-{workers}.csv")
        results[workers] = (
            _contents(engine),
            [file.as_dict() for file in report.files],
            [str(issue) for issue in report.issues],
            (tmp_path / f"rejects-{workers}.csv").read_text(),
            first.total("inserted"),
        )
        engine.dispose()
    serial = results[0]
    assert serial[0]["administration"], "the export stored administrations"
    assert sum(file["erased"] for file in serial[1]) > 0
    if layout == "csv":
        issues = "\n".join(serial[2])
        for rule in ("unknown patient reference", "duplicate id in the export", "fields"):
            assert rule in issues
    assert results[1] == serial
    assert results[3] == serial


def _first_patient(source: Path, layout: str) -> str:
    if layout == "csv":
        with (source / "patients.csv").open(newline="") as handle:
            return str(next(csv.DictReader(handle))["patient_id"])
    import orjson

    line = (source / "Patient.ndjson").read_bytes().splitlines()[0]
    return str(orjson.loads(line)["id"])


def test_atomic_ingest_with_workers_rejects_the_same_rows_and_stores_nothing(
    tmp_path: Path, export: Path
) -> None:
    outcomes = {}
    for workers in (0, 2):
        engine = _store(tmp_path, f"atomic-{workers}.db")
        with pytest.raises(IngestRejected) as rejected:
            ingest_export(
                engine=engine,
                paths=[export / "csv"],
                secret=SECRET,
                timezone="Europe/Oslo",
                workers=workers,
            )
        assert multiprocessing.active_children() == []
        assert all(not rows for rows in _contents(engine).values())
        outcomes[workers] = [str(issue) for issue in rejected.value.report.issues]
        engine.dispose()
    assert outcomes[0]
    assert outcomes[2] == outcomes[0]


def test_a_failing_write_stops_the_workers_and_stores_nothing(
    tmp_path: Path, export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _store(tmp_path, "failing.db")
    calls = {"write": 0}
    write = StoreWriter.write

    def fail_on_the_fifth(
        self: StoreWriter, kind: str, rows: list[dict[str, Any]], **options: Any
    ) -> Any:
        calls["write"] += 1
        if calls["write"] == 5:
            raise OSError("disk full")
        return write(self, kind, rows, **options)

    monkeypatch.setattr(pipeline_module, "BATCH_ROWS", 10)
    monkeypatch.setattr(StoreWriter, "write", fail_on_the_fifth)
    with pytest.raises(OSError, match="disk full"):
        _ingest(engine, export / "csv", 2, tmp_path / "rejects.csv")
    assert multiprocessing.active_children() == []
    assert all(not rows for rows in _contents(engine).values())
    engine.dispose()


@pytest.mark.parametrize(("cores", "workers"), [(1, 0), (2, 0), (3, 1), (4, 2), (6, 4), (64, 4)])
def test_default_workers_leave_two_cores_to_the_command_and_the_database(
    cores: int, workers: int
) -> None:
    assert row_path_module.default_workers(cores) == workers

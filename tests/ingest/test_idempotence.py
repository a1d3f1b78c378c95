"""Re-ingest changes nothing; a changed row updates exactly its record; nothing is deleted."""

from __future__ import annotations

import copy
from pathlib import Path

from sqlalchemy import Engine, text

from app.deid import Pseudonymiser
from app.ingest import ingest_export
from app.store import data_as_of, data_version
from tests.ingest.support import ADMINISTRATIONS, OBSERVATIONS, SECRET, erase, write_tiny_export

TABLES = (
    "patient",
    "administration",
    "dispense",
    "observation",
    "adverse_event",
    "discontinuation",
)


def snapshot(engine: Engine) -> dict[str, dict[str, tuple[object, ...]]]:
    """Return every stored row, by table and id."""
    with engine.connect() as connection:
        return {
            table: {
                row[0]: tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))
            }
            for table in TABLES
        }


def ingest(engine: Engine, export: Path) -> dict[str, int]:
    """Ingest ``export`` and return the report's totals."""
    report = ingest_export(engine=engine, paths=[export], secret=SECRET, timezone="Europe/Oslo")
    return report.as_dict()["totals"]


def test_reingest_reports_nothing_inserted_or_updated(tmp_path: Path, engine: Engine) -> None:
    export = write_tiny_export(tmp_path / "export")
    first = ingest(engine, export)
    stored = snapshot(engine)
    second = ingest(engine, export)
    assert first["inserted"] == first["read"] == 13
    assert second == {**first, "inserted": 0, "updated": 0, "unchanged": 13}
    assert snapshot(engine) == stored


def test_reingest_of_synthetic_export_changes_nothing(synth_export: Path, engine: Engine) -> None:
    first = ingest(engine, synth_export / "fhir")
    stored = snapshot(engine)
    second = ingest(engine, synth_export / "fhir")
    assert second["inserted"] == second["updated"] == 0
    assert second["unchanged"] == first["inserted"] > 1000
    assert snapshot(engine) == stored


def test_changed_row_updates_exactly_its_record(tmp_path: Path, engine: Engine) -> None:
    ingest(engine, write_tiny_export(tmp_path / "first"))
    before = snapshot(engine)
    rows = copy.deepcopy(ADMINISTRATIONS)
    rows[1]["dose_mg"] = "40"
    totals = ingest(engine, write_tiny_export(tmp_path / "second", administrations=rows))
    after = snapshot(engine)
    assert totals["updated"] == 1
    assert totals["inserted"] == 0
    changed_id = Pseudonymiser(SECRET).pseudonym("administration", "AX-02")
    assert {
        (table, key)
        for table in TABLES
        for key in after[table]
        if after[table][key] != before[table].get(key)
    } == {("administration", changed_id)}
    with engine.connect() as connection:
        dose = connection.execute(
            text("SELECT dose_mg FROM administration WHERE id = :id"), {"id": changed_id}
        ).scalar_one()
    assert dose == 40.0


def test_row_missing_from_later_export_is_kept(tmp_path: Path, engine: Engine) -> None:
    ingest(engine, write_tiny_export(tmp_path / "first"))
    before = snapshot(engine)
    totals = ingest(engine, write_tiny_export(tmp_path / "second", observations=OBSERVATIONS[:1]))
    assert totals["read"] == 11
    assert snapshot(engine) == before


def test_incremental_export_finds_patients_already_stored(tmp_path: Path, engine: Engine) -> None:
    ingest(engine, write_tiny_export(tmp_path / "first"))
    rows = [*ADMINISTRATIONS, {**ADMINISTRATIONS[0], "administration_id": "AX-04"}]
    later = write_tiny_export(tmp_path / "later", administrations=rows)
    # Only administrations and observations: their patients are already in the store.
    for name in ("patients.csv", "dispenses.csv", "adverse_events.csv", "discontinuations.csv"):
        (later / name).unlink()
    totals = ingest(engine, later)
    assert totals["inserted"] == 1
    assert totals["unchanged"] == 6


def test_data_as_of_is_the_last_successful_ingest(tmp_path: Path, engine: Engine) -> None:
    assert data_as_of(engine) is None
    report = ingest_export(
        engine=engine, paths=[write_tiny_export(tmp_path / "e")], secret=SECRET, timezone="UTC"
    )
    assert report.run_id is not None
    assert data_as_of(engine) == report.finished_at
    with engine.connect() as connection:
        status, mapping = connection.execute(
            text("SELECT status, mapping FROM ingest_run WHERE id = :id"), {"id": report.run_id}
        ).one()
    assert (status, mapping) == ("ok", "reference-csv")


def test_data_version_changes_with_every_ingest_and_erasure(tmp_path: Path, engine: Engine) -> None:
    assert data_version(engine) == "run-0"
    ingest(engine, write_tiny_export(tmp_path / "e"))
    first = data_version(engine)
    assert first != "run-0"
    assert data_version(engine) == first
    as_of = data_as_of(engine)
    assert erase(engine, "PX-0003") == 3
    assert data_version(engine) not in {first, "run-0"}
    assert data_as_of(engine) == as_of
    erased = data_version(engine)
    assert erase(engine, "PX-0003") == 0
    assert data_version(engine) == erased

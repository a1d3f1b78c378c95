"""PostgreSQL ingest through COPY stores and reports exactly what the SQLite path does, atomically.

Every test runs the same ingests into a SQLite store and a PostgreSQL store (a schema of its own)
and compares the two: every row of every record table, the linkage tokens, the report, the issues
and the rejects file. The aborted runs compare the PostgreSQL store with itself before the run,
down to its constraints and indexes (a bulk load drops and re-adds them).
"""

from __future__ import annotations

import copy
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from app.ingest import IngestRejected, ingest_export
from app.store import create_store_engine, upgrade_schema
from app.store.models import LINKAGE_TOKENS
from app.store.postgres_writer import PostgresBulkWriter
from app.store.writer import TABLES
from app.synth import TravellerOptions, write_synthetic_export
from tests.ingest.support import (
    ADMINISTRATIONS,
    OBSERVATIONS,
    PATIENTS,
    SECRET,
    erase,
    rows_of,
    write_tiny_export,
)

pytestmark = pytest.mark.postgres

LINKAGE = b"the-network-linkage-secret-00001"


@pytest.fixture
def stores(tmp_path: Path, postgres_schema_url: str) -> Iterator[tuple[Engine, Engine]]:
    """A migrated SQLite store and a migrated PostgreSQL store, both empty."""
    sqlite = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    postgres = create_store_engine(postgres_schema_url)
    for engine in (sqlite, postgres):
        upgrade_schema(engine)
    yield sqlite, postgres
    sqlite.dispose()
    postgres.dispose()


@pytest.fixture(scope="module")
def named_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic CSV export (some patients named travellers, so they get linkage tokens)."""
    folder = tmp_path_factory.mktemp("copy")
    write_synthetic_export(
        country="DE",
        patients=60,
        seed=5,
        out_dir=folder,
        formats="csv",
        travellers=TravellerOptions(share=0.3, network_seed=1),
    )
    return folder / "csv"


def _plain(value: object) -> object:
    """A stored value in a form both drivers agree on (bools as ints, floats rounded)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Return every row of every record table and of the linkage tokens, sorted."""
    with engine.connect() as connection:
        found = {}
        for table in (*TABLES, LINKAGE_TOKENS.name):
            rows = connection.execute(text(f"SELECT * FROM {table}"))
            found[table] = sorted(tuple(_plain(value) for value in row) for row in rows)
        return found


def run(engine: Engine, export: Path, tmp_path: Path, **options: Any) -> dict[str, Any]:
    """Ingest ``export``; return the report's files, totals and issues, and the rejects file."""
    rejects = tmp_path / f"rejects-{engine.dialect.name}.csv"
    try:
        report = ingest_export(
            engine=engine,
            paths=[export],
            secret=SECRET,
            timezone="UTC",
            linkage_secret=LINKAGE,
            rejects_path=rejects,
            **options,
        )
    except IngestRejected as rejected:
        report = rejected.report
    described = report.as_dict()
    return {
        "files": [file.as_dict() for file in report.files],
        "totals": described["totals"],
        "issues": report.issues,
        "issue_count": report.issue_count,
        "committed": report.committed,
        "rejects": rejects.read_text(encoding="utf-8") if rejects.exists() else None,
    }


def both(stores: tuple[Engine, Engine], export: Path, tmp_path: Path, **options: Any) -> Any:
    """Ingest ``export`` into both stores; assert equal reports and stores; return the report."""
    sqlite, postgres = stores
    expected = run(sqlite, export, tmp_path, **options)
    got = run(postgres, export, tmp_path, **options)
    assert got == expected
    assert snapshot(postgres) == snapshot(sqlite)
    return got


def schema_objects(engine: Engine) -> list[tuple[str, ...]]:
    """Return the definitions of the PostgreSQL store's constraints and indexes."""
    with engine.connect() as connection:
        constraints = connection.execute(
            text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
            )
        )
        indexes = connection.execute(text("SELECT tablename, indexname, indexdef FROM pg_indexes"))
        return sorted([*map(tuple, constraints), *map(tuple, indexes)])


def with_bad_rows(folder: Path) -> Path:
    """The tiny export with a duplicate administration id, an unreadable dose and an unknown patient."""
    administrations = copy.deepcopy(ADMINISTRATIONS)
    administrations.append({**administrations[0], "dose_mg": "36"})
    administrations.append({**administrations[1], "administration_id": "AX-09", "dose_mg": "x"})
    administrations.append(
        {**administrations[2], "administration_id": "AX-10", "patient_id": "PX-9"}
    )
    return write_tiny_export(folder, administrations=administrations)


def test_copy_ingest_stores_and_reports_as_sqlite_when_store_is_empty(
    stores: tuple[Engine, Engine], named_export: Path, tmp_path: Path
) -> None:
    report = both(stores, named_export, tmp_path)
    assert report["committed"]
    assert report["totals"]["inserted"] > 1000
    assert all(snapshot(stores[1]).values())  # every kind, and tokens copied after patients


def test_copy_ingest_sets_record_keys_without_a_scan_when_tables_start_empty(
    stores: tuple[Engine, Engine], named_export: Path, tmp_path: Path
) -> None:
    both(stores, named_export, tmp_path)
    with stores[1].connect() as connection:
        missing = connection.execute(
            text("SELECT count(*) FROM administration WHERE record_key IS NULL")
        ).scalar_one()
    assert missing == 0


def analysed_tables(engine: Engine) -> set[str]:
    """Return the store's tables that have planner statistics (only ``ANALYZE`` writes them)."""
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = current_schema()")
        )
        return set(found.scalars())


def test_tables_loaded_from_empty_get_planner_statistics_in_the_run(
    stores: tuple[Engine, Engine], named_export: Path, tmp_path: Path
) -> None:
    assert analysed_tables(stores[1]) == set()
    both(stores, named_export, tmp_path)
    assert analysed_tables(stores[1]) >= {*TABLES, LINKAGE_TOKENS.name}


def test_reimport_changes_nothing_on_postgres(
    stores: tuple[Engine, Engine], named_export: Path, tmp_path: Path
) -> None:
    first = both(stores, named_export, tmp_path)
    stored = snapshot(stores[1])
    second = both(stores, named_export, tmp_path)
    assert second["totals"]["inserted"] == second["totals"]["updated"] == 0
    assert second["totals"]["unchanged"] == first["totals"]["inserted"]
    assert snapshot(stores[1]) == stored


def test_second_export_merges_changed_and_new_rows_as_sqlite(
    stores: tuple[Engine, Engine], tmp_path: Path
) -> None:
    both(stores, write_tiny_export(tmp_path / "first"), tmp_path)
    patients = copy.deepcopy(PATIENTS)
    patients[0]["diagnosis"] = "F32.2"  # changed, and so is its linkage token's row
    patients[1]["family_name"] = ""  # no longer named: its token goes
    patients.append({**patients[2], "patient_id": "PX-0004", "family_name": "Nova"})
    administrations = copy.deepcopy(ADMINISTRATIONS)
    administrations[1]["dose_mg"] = "40"
    administrations.append({**administrations[0], "administration_id": "AX-04"})
    observations = [*OBSERVATIONS, {**OBSERVATIONS[0], "observation_id": "OX-04", "value": "7"}]
    second = write_tiny_export(
        tmp_path / "second",
        patients=patients,
        administrations=administrations,
        observations=observations,
    )
    report = both(stores, second, tmp_path)
    by_file = {file["file"]: file for file in report["files"]}
    assert (by_file["patients.csv"]["inserted"], by_file["patients.csv"]["updated"]) == (1, 2)
    assert by_file["administrations.csv"]["inserted"] == 1
    assert by_file["administrations.csv"]["updated"] == 1
    assert by_file["administrations.csv"]["unchanged"] == 2
    assert by_file["observations.csv"]["inserted"] == 1


def test_bad_rows_are_reported_as_sqlite_when_skipped(
    stores: tuple[Engine, Engine], tmp_path: Path
) -> None:
    both(stores, write_tiny_export(tmp_path / "first"), tmp_path)
    report = both(stores, with_bad_rows(tmp_path / "bad"), tmp_path, skip_invalid=True)
    assert report["committed"]
    assert report["issue_count"] == 3
    assert report["rejects"] is not None
    assert len(list(csv.reader(report["rejects"].splitlines()))) == 4


def test_erased_patient_stays_absent_after_copy_reimport(
    stores: tuple[Engine, Engine], tmp_path: Path
) -> None:
    export = write_tiny_export(tmp_path / "export")
    both(stores, export, tmp_path)
    assert erase(stores[1], "PX-0001") == erase(stores[0], "PX-0001") == 7  # with its token
    report = both(stores, export, tmp_path)
    assert report["totals"]["erased"] == 6
    assert rows_of(stores[1], "PX-0001") == 0


@pytest.mark.parametrize("filled", [False, True], ids=["empty store", "filled store"])
def test_bad_row_found_late_leaves_postgres_store_as_before(
    stores: tuple[Engine, Engine], tmp_path: Path, filled: bool
) -> None:
    _sqlite, postgres = stores
    if filled:
        run(postgres, write_tiny_export(tmp_path / "first"), tmp_path)
    before, objects = snapshot(postgres), schema_objects(postgres)
    observations = [*OBSERVATIONS, {**OBSERVATIONS[0], "observation_id": "OX-09", "value": "?"}]
    patients = [*PATIENTS, {**PATIENTS[2], "patient_id": "PX-0005"}]
    export = write_tiny_export(tmp_path / "late", observations=observations, patients=patients)
    report = run(postgres, export, tmp_path)
    assert not report["committed"]
    assert report["issue_count"] == 1
    assert snapshot(postgres) == before
    assert schema_objects(postgres) == objects


@pytest.mark.parametrize("filled", [False, True], ids=["empty store", "filled store"])
def test_write_error_mid_copy_leaves_postgres_store_as_before(
    stores: tuple[Engine, Engine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, filled: bool
) -> None:
    _sqlite, postgres = stores
    if filled:
        run(postgres, write_tiny_export(tmp_path / "first"), tmp_path)
    before, objects = snapshot(postgres), schema_objects(postgres)
    write = PostgresBulkWriter.write
    calls: list[str] = []

    def failing(self: PostgresBulkWriter, kind: str, rows: list[dict[str, Any]], **kw: Any) -> Any:
        calls.append(kind)
        if kind == "observation":  # patients and administrations are copied by now
            raise OSError("disk full")
        return write(self, kind, rows, **kw)

    monkeypatch.setattr(PostgresBulkWriter, "write", failing)
    changed = copy.deepcopy(ADMINISTRATIONS)
    changed[0]["dose_mg"] = "99"
    with pytest.raises(OSError, match="disk full"):
        run(postgres, write_tiny_export(tmp_path / "next", administrations=changed), tmp_path)
    assert calls[:2] == ["patient", "administration"]
    assert snapshot(postgres) == before
    assert schema_objects(postgres) == objects
    monkeypatch.setattr(PostgresBulkWriter, "write", write)
    assert run(postgres, write_tiny_export(tmp_path / "again"), tmp_path)["committed"]


def test_error_during_merge_leaves_postgres_store_as_before(
    stores: tuple[Engine, Engine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sqlite, postgres = stores
    run(postgres, write_tiny_export(tmp_path / "first"), tmp_path)
    before, objects = snapshot(postgres), schema_objects(postgres)
    merge = PostgresBulkWriter._merge
    merged: list[str] = []

    def failing(self: PostgresBulkWriter, target: Any) -> Any:
        merged.append(target.kind)
        if target.kind == "administration":  # the patients are merged by now
            raise OSError("connection lost")
        return merge(self, target)

    monkeypatch.setattr(PostgresBulkWriter, "_merge", failing)
    patients = [*PATIENTS, {**PATIENTS[2], "patient_id": "PX-0007"}]
    with pytest.raises(OSError, match="connection lost"):
        run(postgres, write_tiny_export(tmp_path / "next", patients=patients), tmp_path)
    assert merged == ["patient", "administration"]
    assert snapshot(postgres) == before
    assert schema_objects(postgres) == objects

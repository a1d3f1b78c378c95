"""A refresh of every patient (a bulk load into an empty store) keeps the short dosing intervals
from one ordered scan of the table; a refresh of some patients keeps them with ``lag()`` per
patient (``_short_intervals``). Both give the same rows: ties at one instant, erasures and
re-imports included, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from app.ingest import ingest_export
from app.store import erase_patient
from app.store.dose_signals import (
    DOSE_SHORT_INTERVAL,
    _short_intervals,
    refresh_dose_signals,
)
from app.store.models import RecordBase
from app.synth import write_synthetic_export
from tests.measures.support import STORES, migrated_store

TABLES = RecordBase.metadata.tables
SECRET = b"x" * 32
DAY_S = 86_400


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """Yield an empty, migrated store on SQLite or PostgreSQL (a schema of its own)."""
    yield from migrated_store(request, tmp_path)


def _kept(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return sorted(tuple(row) for row in connection.execute(select(DOSE_SHORT_INTERVAL)))


def _by_lag(engine: Engine) -> list[tuple[object, ...]]:
    """The rows ``_short_intervals`` gives for every stored patient (the per-patient pass)."""
    with engine.connect() as connection:
        everyone = select(TABLES["patient"].c.id)
        return sorted(tuple(row) for row in connection.execute(_short_intervals(everyone)))


def _refresh(engine: Engine, marks: str) -> int:
    with engine.begin() as connection:
        ignore = " OR IGNORE" if connection.dialect.name == "sqlite" else ""
        connection.exec_driver_sql(f"INSERT{ignore} INTO bp_signal_stale (patient_id) {marks}")
        return refresh_dose_signals(connection)


def test_the_scan_of_all_gives_the_rows_of_lag_with_ties_at_one_instant(store: Engine) -> None:
    engine = store
    rng = random.Random(16)
    patients = [f"p{number:02d}" for number in range(40)]
    administrations = []
    for patient in patients:
        # Few distinct instants per patient: several doses at one instant (ordered by id),
        # on one day, 1-4 days apart; ids not in instant order; keys sometimes missing.
        instants = [19_700 * DAY_S + rng.randrange(12) * DAY_S // 2 for _ in range(4)]
        for number in range(rng.randrange(0, 12)):
            at_s = rng.choice(instants)
            administrations.append(
                {
                    "id": f"{patient}-{rng.randrange(10**6):06d}-{number}",
                    "patient_id": patient,
                    "at_s": at_s,
                    "day": at_s // DAY_S,
                    "drug": "ketamine",
                    "route": "iv",
                    "dose_mg": 50.0,
                    "setting": "clinic",
                    "row_hash": "h",
                    "record_key": rng.choice((None, rng.randrange(256))),
                    "member_hash": rng.choice((None, rng.randrange(2**32))),
                }
            )
    with engine.begin() as connection:
        connection.execute(
            insert(TABLES["patient"]),
            [
                {
                    "id": p,
                    "birth_year": 1980,
                    "sex": "female",
                    "diagnosis": "F33.1",
                    "row_hash": "h",
                }
                for p in patients
            ],
        )
        connection.execute(insert(TABLES["administration"]), administrations)
    # The triggers marked every patient with a dose: the scan of all.
    assert _refresh(engine, "SELECT id FROM patient WHERE 1 = 0") > 0
    scanned = _kept(engine)
    assert scanned == _by_lag(engine)
    assert any(row[3] == row[4] for row in scanned)  # doses at one instant are short intervals
    # Some patients only: the per-patient pass keeps the same rows.
    _refresh(engine, "SELECT id FROM patient WHERE id < 'p10'")
    assert _kept(engine) == scanned


def test_a_bulk_load_keeps_what_lag_gives_after_erasure_and_reimport(
    store: Engine, tmp_path: Path
) -> None:
    engine = store
    folder = tmp_path / "synth"
    write_synthetic_export(country="NO", patients=80, seed=3, out_dir=folder, formats="csv")
    ingest_export(engine=engine, paths=[folder / "csv"], secret=SECRET, timezone="UTC")
    loaded = _kept(engine)
    assert loaded
    assert loaded == _by_lag(engine)
    # Erased: the patient's kept rows go with their administrations; a refresh of all agrees.
    with engine.connect() as connection:
        erased = connection.execute(select(DOSE_SHORT_INTERVAL.c.patient_id).limit(1)).scalar_one()
    erase_patient(engine=engine, pseudonym=erased)
    after_erasure = _kept(engine)
    assert erased not in {row[0] for row in after_erasure}
    assert after_erasure == _by_lag(engine)
    _refresh(engine, "SELECT id FROM patient")
    assert _kept(engine) == after_erasure
    # A re-import stores nothing new and keeps the same rows.
    report = ingest_export(engine=engine, paths=[folder / "csv"], secret=SECRET, timezone="UTC")
    assert (report.total("inserted"), report.total("updated")) == (0, 0)
    assert _kept(engine) == after_erasure

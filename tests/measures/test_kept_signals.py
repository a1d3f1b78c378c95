"""The per-dose blood pressure signals the store keeps (``app.store.dose_signals``) follow the data.

Whoever writes (a re-import's update, erasure, an operator's SQL), the next ``safety-signals``
count is the one the rows give: the triggers mark the patient, the signals are recomputed before
they are read. Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from app.ingest import ingest_export
from app.ingest.ingest_report import IngestRejected
from app.store import create_store_engine, erase_patient, upgrade_schema
from app.store.dose_signals import (
    BP_SIGNAL_STALE,
    DOSE_BP_SIGNAL,
    DOSE_SHORT_INTERVAL,
    refresh_dose_signals,
)
from app.store.event_attribution import EVENT_ATTRIBUTION
from app.synth import write_synthetic_export
from tests.measures.support import (
    BP,
    MARCH,
    STORES,
    Registry,
    evaluate,
    migrated_store,
    query,
    totals,
)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """Yield an empty, migrated store on SQLite or PostgreSQL (a schema of its own)."""
    yield from migrated_store(request, tmp_path)


def _bp(engine: Engine) -> tuple[int | None, ...]:
    counts = totals(evaluate(engine, query("safety-signals", *MARCH)))
    return tuple(counts[population] for population in BP)


def _checked_dose(r: Registry, patient: str = "p1") -> None:
    """One dose at 10:00 with a pair at 09:50 and another at 10:30 (checked, no rise)."""
    r.patient(patient)
    r.administration(f"{patient}-a1", patient, "2024-03-05T10:00:00")
    for oid, when, sbp, dbp in (("pre", "09:50:00", 120, 80), ("post", "10:30:00", 130, 85)):
        r.score(f"{patient}-{oid}-s", patient, f"2024-03-05T{when}", sbp, code="SBP")
        r.score(f"{patient}-{oid}-d", patient, f"2024-03-05T{when}", dbp, code="DBP")


def _execute(engine: Engine, statement: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(statement))


def _kept_rows(engine: Engine, patient: str) -> int:
    signal = DOSE_BP_SIGNAL
    with engine.connect() as connection:
        found = select(func.count()).where(signal.c.patient_id == patient)
        return int(connection.execute(found).scalar_one())


def _kept_doses(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        kept = select(DOSE_BP_SIGNAL.c.administration_id)
        return sorted(connection.execute(kept).scalars())


def _marks(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(set(connection.execute(select(BP_SIGNAL_STALE.c.patient_id)).scalars()))


def test_an_updated_reading_value_changes_the_flags(store: Engine) -> None:
    r = Registry(store)
    _checked_dose(r)
    assert _bp(store) == (1, 0, 0)
    _execute(store, "UPDATE observation SET value = 185 WHERE id = 'p1-post-s'")
    assert _bp(store) == (1, 1, 1)  # +65 is a rise, 185 is severe
    _execute(store, "UPDATE observation SET value = 130 WHERE id = 'p1-post-s'")
    assert _bp(store) == (1, 0, 0)


def test_a_deleted_or_recoded_reading_unchecks_the_dose(store: Engine) -> None:
    r = Registry(store)
    _checked_dose(r)
    _checked_dose(r, "p2")
    assert _bp(store) == (2, 0, 0)
    _execute(store, "DELETE FROM observation WHERE id = 'p1-post-d'")
    assert _bp(store) == (1, 0, 0)
    # A reading that leaves the blood pressure codes takes its pair with it.
    _execute(store, "UPDATE observation SET code = 'MADRS' WHERE id = 'p2-pre-s'")
    assert _bp(store) == (0, 0, 0)


def test_a_moved_or_added_administration_changes_the_windows(store: Engine) -> None:
    r = Registry(store)
    _checked_dose(r)
    assert (_bp(store), _kept_doses(store)) == ((1, 0, 0), ["p1-a1"])
    # A later dose at 10:20 ends a1's post-dose window before the 10:30 pair, and is checked
    # itself (the 09:50 pair is within its 2 h before).
    r.administration("p1-a2", "p1", "2024-03-05T10:20:00")
    assert (_bp(store), _kept_doses(store)) == ((1, 0, 0), ["p1-a2"])
    # Moved 31 days on, to April: a1's window is whole again, a2 has no readings there.
    _execute(
        store,
        "UPDATE administration SET at_s = at_s + 2678400, day = day + 31 WHERE id = 'p1-a2'",
    )
    assert (_bp(store), _kept_doses(store)) == ((1, 0, 0), ["p1-a1"])


def test_kept_copies_follow_the_administrations_record_keys(store: Engine) -> None:
    r = Registry(store)
    _checked_dose(r)
    _bp(store)
    _execute(store, "UPDATE administration SET record_key = 7, member_hash = 12345")
    _bp(store)
    with store.connect() as connection:
        kept = connection.execute(select(DOSE_BP_SIGNAL.c.record_key, DOSE_BP_SIGNAL.c.member_hash))
        assert kept.all() == [(7, 12345)]


def test_erasure_removes_the_patients_kept_signals_at_once(store: Engine) -> None:
    r = Registry(store)
    _checked_dose(r)
    _checked_dose(r, "p2")
    assert _bp(store) == (2, 0, 0)
    assert _kept_rows(store, "p1") == 1
    assert erase_patient(engine=store, pseudonym="p1") > 0
    # No read in between: the erasure's own transaction removed them.
    assert _kept_rows(store, "p1") == 0
    assert _kept_rows(store, "p2") == 1
    assert _marks(store) == []
    assert _bp(store) == (1, 0, 0)


def test_a_refresh_clears_the_marks_and_then_does_nothing(store: Engine) -> None:
    r = Registry(store)
    _checked_dose(r)
    _checked_dose(r, "p2")
    assert _marks(store) == ["p1", "p2"]
    with store.begin() as connection:
        assert refresh_dose_signals(connection) == 2
    assert _marks(store) == []
    with store.begin() as connection:
        assert refresh_dose_signals(connection) == 0
    assert _kept_rows(store, "p1") == _kept_rows(store, "p2") == 1


@pytest.mark.postgres
def test_a_concurrent_writers_marks_outlive_a_refresh(postgres_schema_url: str) -> None:
    """PostgreSQL: a refresh removes only the marks it saw, so a write that commits after the
    refresh read the data is recomputed by the next one."""
    engine = create_store_engine(postgres_schema_url)
    try:
        upgrade_schema(engine)
        r = Registry(engine)
        _checked_dose(r)
        assert _bp(engine) == (1, 0, 0)
        _checked_dose(r, "p2")  # a committed mark for the refresh to take
        with engine.connect() as writer:
            writer.execute(text("UPDATE observation SET value = 200 WHERE id = 'p1-post-s'"))
            # Not yet committed: the refresh below sees neither the new value nor its mark.
            with engine.begin() as connection:
                assert refresh_dose_signals(connection) == 1
            writer.commit()
        assert _marks(engine) == ["p1"]
        assert _bp(engine) == (2, 1, 1)
    finally:
        engine.dispose()


def _short(engine: Engine) -> int | None:
    return totals(evaluate(engine, query("guideline-adherence", *MARCH)))["short-intervals"]


def test_kept_short_intervals_follow_added_moved_and_deleted_administrations(
    store: Engine,
) -> None:
    r = Registry(store)
    r.patient("p1")
    r.administration("a1", "p1", "2024-03-05T10:00:00")
    r.administration("a2", "p1", "2024-03-06T10:00:00")
    assert _short(store) == 1  # 1 day
    _execute(store, "UPDATE administration SET at_s = at_s + 432000, day = day + 5 WHERE id = 'a2'")
    assert _short(store) == 0  # Mar 5 → Mar 11: 6 days
    r.administration("a3", "p1", "2024-03-11T09:00:00")
    assert _short(store) == 1  # a3 → a2 on one date; a1 → a3 is 6 days
    _execute(store, "DELETE FROM administration WHERE id = 'a3'")
    assert _short(store) == 0


def test_an_ingest_keeps_the_rows_in_its_transaction_and_a_reimport_follows_a_change(
    store: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "synth"
    write_synthetic_export(country="NO", patients=60, seed=5, out_dir=folder, formats="csv")
    ingest_export(engine=store, paths=[folder / "csv"], secret=b"x" * 32, timezone="UTC")
    # Nothing left for a read to do: the ingest's own transaction refreshed what it marked.
    assert _marks(store) == []
    with store.connect() as connection:
        kept = connection.execute(select(func.count()).select_from(DOSE_BP_SIGNAL)).scalar_one()
        short = connection.execute(
            select(func.count()).select_from(DOSE_SHORT_INTERVAL)
        ).scalar_one()
    assert kept > 0
    assert short > 0
    # A re-import with every systolic reading at 300 mmHg: each checked dose is now severe.
    observations = folder / "csv" / "observations.csv"
    with observations.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    code, value = table[0].index("code"), table[0].index("value")
    for row in table[1:]:
        if row[code] == "SBP":
            row[value] = "300"
    with observations.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)
    ingest_export(engine=store, paths=[folder / "csv"], secret=b"x" * 32, timezone="UTC")
    with store.connect() as connection:
        signal = DOSE_BP_SIGNAL.c
        flags = connection.execute(select(func.count(), func.sum(signal.severe))).one()
    assert tuple(flags) == (kept, kept)
    assert _marks(store) == []


def _triggers(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        )
        return [(name, sql) for name, sql in found]


def _kept_tables(engine: Engine) -> tuple[list[tuple[object, ...]], ...]:
    with engine.connect() as connection:
        return tuple(
            sorted(tuple(row) for row in connection.execute(select(kept)))
            for kept in (DOSE_BP_SIGNAL, DOSE_SHORT_INTERVAL, EVENT_ATTRIBUTION)
        )


def test_a_bulk_load_marks_each_patient_once_and_keeps_the_triggers(tmp_path: Path) -> None:
    # SQLite: into empty tables the marking triggers are dropped for the load and re-created at
    # its end, each patient marked once; the kept rows are those a refresh of everyone gives.
    engine = create_store_engine(f"sqlite:///{tmp_path / 'node.db'}")
    upgrade_schema(engine)
    triggers = _triggers(engine)
    assert len(triggers) == 9  # insert, update, delete on administration, observation, events
    folder = tmp_path / "synth"
    write_synthetic_export(country="NO", patients=60, seed=5, out_dir=folder, formats="csv")
    ingest_export(engine=engine, paths=[folder / "csv"], secret=b"x" * 32, timezone="UTC")
    assert _triggers(engine) == triggers
    assert _marks(engine) == []
    loaded = _kept_tables(engine)
    assert loaded[0] and loaded[1] and loaded[2]
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT OR IGNORE INTO bp_signal_stale SELECT id FROM patient")
        assert refresh_dose_signals(connection) == 60
    assert _kept_tables(engine) == loaded
    # The triggers are live again: a later write marks its patient.
    _execute(
        engine,
        "UPDATE observation SET value = value + 1 "
        "WHERE rowid = (SELECT min(rowid) FROM observation WHERE code = 'SBP')",
    )
    assert len(_marks(engine)) == 1
    engine.dispose()


def test_a_rejected_bulk_load_keeps_the_triggers(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'node.db'}")
    upgrade_schema(engine)
    triggers = _triggers(engine)
    folder = tmp_path / "synth"
    write_synthetic_export(country="NO", patients=5, seed=5, out_dir=folder, formats="csv")
    administrations = folder / "csv" / "administrations.csv"
    lines = administrations.read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    last = lines[-1].split(",")
    last[head.index("dose_mg")] = "a lot"
    administrations.write_text("\n".join([*lines[:-1], ",".join(last)]) + "\n", encoding="utf-8")
    with pytest.raises(IngestRejected):
        ingest_export(engine=engine, paths=[folder / "csv"], secret=b"x" * 32, timezone="UTC")
    assert _triggers(engine) == triggers
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM administration")).scalar_one() == 0
    engine.dispose()

"""Record keys: set at ingest from the pseudonym secret, stable across re-imports, filled in later."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text

from app.deid.record_keys import KEYED_KINDS, RecordKeyer
from app.ingest import ingest_export
from app.ingest.record_keys import assign_missing_record_keys
from tests.ingest.support import SECRET


def keys(engine: Engine) -> dict[str, dict[str, tuple[int, int]]]:
    with engine.connect() as connection:
        return {
            kind: {
                row[0]: (row[1], row[2])
                for row in connection.execute(
                    text(f"SELECT id, record_key, member_hash FROM {kind}")
                )
            }
            for kind in KEYED_KINDS
        }


def test_ingest_gives_every_counted_row_its_keys_from_the_secret(
    synth_export: Path, engine: Engine
) -> None:
    ingest_export(engine=engine, paths=[synth_export / "csv"], secret=SECRET, timezone="UTC")
    stored = keys(engine)
    keyer = RecordKeyer(SECRET)
    for kind, rows in stored.items():
        assert rows, kind
        for stored_id, (record_key, member_hash) in rows.items():
            assert (record_key, member_hash) == keyer.keys(kind, stored_id)
            assert 0 <= record_key < 256 and 0 <= member_hash < 2**32
    # Keys are secret: another secret gives other keys to the same stored ids.
    other = RecordKeyer(b"another secret of at least 32 bytes!!")
    patient = next(iter(stored["patient"]))
    assert other.keys("patient", patient) != stored["patient"][patient]
    # Only counted rows carry keys.
    columns = {c["name"] for c in inspect(engine).get_columns("observation")}
    assert "record_key" not in columns


def test_reimport_keeps_the_keys_and_rows_of_an_earlier_release_get_them(
    synth_export: Path, engine: Engine
) -> None:
    ingest_export(engine=engine, paths=[synth_export / "csv"], secret=SECRET, timezone="UTC")
    first = keys(engine)
    ingest_export(engine=engine, paths=[synth_export / "fhir"], secret=SECRET, timezone="UTC")
    assert keys(engine) == first  # the same records from FHIR NDJSON: the same keys
    with engine.begin() as connection:  # as a release without keys left them
        for kind in KEYED_KINDS:
            connection.execute(text(f"UPDATE {kind} SET record_key = NULL, member_hash = NULL"))
    assert assign_missing_record_keys(engine, SECRET) == sum(len(rows) for rows in first.values())
    assert keys(engine) == first
    assert assign_missing_record_keys(engine, SECRET) == 0
    # An ingest into tables that already held rows fills in what an earlier release left out
    # (only tables the run filled from empty are known to be complete and not searched).
    with engine.begin() as connection:
        for kind in KEYED_KINDS:
            connection.execute(text(f"UPDATE {kind} SET record_key = NULL, member_hash = NULL"))
    ingest_export(engine=engine, paths=[synth_export / "csv"], secret=SECRET, timezone="UTC")
    assert keys(engine) == first

"""An SQLite ingest into a filled store writes with a bulk page cache and rebuilds indexes without it.

Into a store without patients (every table filled from empty, rows appended in order) the run
keeps the default cache throughout and runs with foreign keys off (checked set-based at the end);
into a filled store they are checked row by row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

import app.ingest.transaction as transaction
from app.ingest import ingest_export
from app.store.writer import StoreWriter
from tests.ingest.support import SECRET


def _spy_on_cache_sizes(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    seen: dict[str, int] = {}
    write, finish = StoreWriter.write, StoreWriter.finish

    def cache_size(writer: StoreWriter) -> int:
        driver = writer._connection.connection.driver_connection
        return int(driver.execute("PRAGMA cache_size").fetchone()[0])

    def spying_write(self: StoreWriter, *args: Any, **kwargs: Any) -> tuple[int, int, int]:
        seen.setdefault("write", cache_size(self))
        driver = self._connection.connection.driver_connection
        seen.setdefault("foreign_keys", int(driver.execute("PRAGMA foreign_keys").fetchone()[0]))
        return write(self, *args, **kwargs)

    def spying_finish(self: StoreWriter) -> list[tuple[object, tuple[int, int, int]]]:
        seen["finish"] = cache_size(self)
        return finish(self)

    monkeypatch.setattr(StoreWriter, "write", spying_write)
    monkeypatch.setattr(StoreWriter, "finish", spying_finish)
    return seen


def _default_cache_size(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())


def test_index_rebuilds_run_with_the_default_cache_and_the_run_ends_with_it(
    synth_export: Path, tiny_export: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = _default_cache_size(engine)
    ingest_export(engine=engine, paths=[tiny_export], secret=SECRET, timezone="UTC")
    seen = _spy_on_cache_sizes(monkeypatch)
    ingest_export(engine=engine, paths=[synth_export / "csv"], secret=SECRET, timezone="UTC")

    assert seen["write"] == -transaction.BULK_CACHE_KIB != default
    assert seen["finish"] == default
    assert seen["foreign_keys"] == 1  # into a filled store: checked row by row
    assert _default_cache_size(engine) == default


def test_run_into_a_store_without_patients_keeps_the_default_cache(
    synth_export: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = _default_cache_size(engine)
    seen = _spy_on_cache_sizes(monkeypatch)
    ingest_export(engine=engine, paths=[synth_export / "csv"], secret=SECRET, timezone="UTC")

    # Foreign keys off: every table is filled from empty and checked once before commit.
    assert seen == {"write": default, "foreign_keys": 0, "finish": default}
    assert _default_cache_size(engine) == default

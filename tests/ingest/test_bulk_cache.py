"""An SQLite ingest writes its rows with a bulk page cache and rebuilds its indexes without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

import app.ingest.transaction as transaction
from app.ingest import ingest_export
from app.store.writer import StoreWriter
from tests.ingest.support import SECRET


def test_index_rebuilds_run_with_the_default_cache_and_the_run_ends_with_it(
    synth_export: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, int] = {}
    write, finish = StoreWriter.write, StoreWriter.finish

    def cache_size(writer: StoreWriter) -> int:
        driver = writer._connection.connection.driver_connection
        return int(driver.execute("PRAGMA cache_size").fetchone()[0])

    def spying_write(self: StoreWriter, *args: Any, **kwargs: Any) -> tuple[int, int, int]:
        seen.setdefault("write", cache_size(self))
        return write(self, *args, **kwargs)

    def spying_finish(self: StoreWriter) -> list[tuple[object, tuple[int, int, int]]]:
        seen["finish"] = cache_size(self)
        return finish(self)

    monkeypatch.setattr(StoreWriter, "write", spying_write)
    monkeypatch.setattr(StoreWriter, "finish", spying_finish)
    with engine.connect() as connection:
        default = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    ingest_export(engine=engine, paths=[synth_export / "csv"], secret=SECRET, timezone="UTC")

    assert seen["write"] == -transaction.BULK_CACHE_KIB != default
    assert seen["finish"] == default
    with engine.connect() as connection:
        assert int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one()) == default

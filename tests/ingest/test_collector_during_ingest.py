"""During an ingest the collector leaves the objects older than the run alone (``gc.freeze``), and
gives them back afterwards, also when the run is rejected; a process that froze its start-up itself
(a server) keeps exactly what it froze."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from app.ingest import IngestRejected, ingest_export
from app.package_data import data_path
from app.store import create_store_engine, upgrade_schema

SECRET = b"test pseudonym secret: 32+ bytes, never a real one"


def _ingest(tmp_path: Path, export: Path) -> list[int]:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade_schema(engine)
    during: list[int] = []
    try:
        ingest_export(
            engine=engine,
            paths=[export],
            secret=SECRET,
            timezone="UTC",
            progress=lambda _rows: during.append(gc.get_freeze_count()),
        )
    finally:
        engine.dispose()
    return during


def test_older_objects_are_frozen_for_the_run_only(tmp_path: Path) -> None:
    if gc.get_freeze_count():  # pragma: no cover - only if another test left objects frozen
        pytest.skip("objects already frozen in this process")
    during = _ingest(tmp_path, data_path("mappings/examples/reference-csv"))
    assert during and min(during) > 0
    assert gc.get_freeze_count() == 0


def test_a_rejected_run_unfreezes_too(tmp_path: Path) -> None:
    if gc.get_freeze_count():  # pragma: no cover - only if another test left objects frozen
        pytest.skip("objects already frozen in this process")
    export = tmp_path / "export"
    shutil.copytree(data_path("mappings/examples/reference-csv"), export)
    path = export / "administrations.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace("ketamine", "aspirin", 1)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(IngestRejected):
        _ingest(tmp_path, export)
    assert gc.get_freeze_count() == 0


def test_a_process_that_froze_its_start_up_keeps_it(tmp_path: Path) -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        during = _ingest(tmp_path, data_path("mappings/examples/reference-csv"))
        assert during and set(during) == {frozen}
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()

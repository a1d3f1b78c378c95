"""A dry run leaves no trace: no database created, none migrated, nothing written."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from sqlalchemy import inspect

from app.store import create_store_engine
from tests.ingest.support import (
    ADMINISTRATIONS,
    database_files,
    run_cli,
    write_tiny_export,
    write_version_1_store,
)

DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def test_dry_run_creates_no_database_when_store_is_missing(
    tmp_path: Path, node_config: Path
) -> None:
    result = run_cli(
        "ingest", "--config", node_config, "--dry-run", "--json", write_tiny_export(tmp_path / "e")
    )
    assert result.exit_code == 0, result.output
    database = node_config.parent / "node.db"
    assert not [s for s in DATABASE_SUFFIXES if Path(f"{database}{s}").exists()]
    document = json.loads(result.stdout)
    assert document["dry_run"] and not document["stored"]
    # Every valid row counts as new.
    assert document["totals"]["inserted"] == document["totals"]["valid"] == 13
    assert any("does not exist yet" in warning for warning in document["warnings"])


def test_dry_run_leaves_database_unchanged_when_rows_changed(
    tmp_path: Path, node_config: Path
) -> None:
    assert (
        run_cli("ingest", "--config", node_config, write_tiny_export(tmp_path / "a")).exit_code == 0
    )
    database = node_config.parent / "node.db"
    before = database_files(database)
    rows = copy.deepcopy(ADMINISTRATIONS)
    rows[0]["dose_mg"] = "40"
    changed = write_tiny_export(tmp_path / "b", administrations=rows)
    result = run_cli("ingest", "--config", node_config, "--dry-run", "--json", changed)
    assert result.exit_code == 0, result.output
    totals = json.loads(result.stdout)["totals"]
    assert (totals["inserted"], totals["updated"], totals["unchanged"]) == (0, 1, 12)
    assert database_files(database) == before


def test_dry_run_validates_only_when_schema_is_older(tmp_path: Path, node_config: Path) -> None:
    database = node_config.parent / "node.db"
    write_version_1_store(database)
    before = database_files(database)
    result = run_cli(
        "ingest", "--config", node_config, "--dry-run", "--json", write_tiny_export(tmp_path / "e")
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert not document["compared"] and not document["stored"]
    assert document["totals"]["valid"] == 13
    assert document["totals"]["inserted"] == document["totals"]["unchanged"] == 0
    assert any("schema (version 1) is older" in warning for warning in document["warnings"])
    assert "schema (version 1) is older" in result.stderr
    assert database_files(database) == before
    engine = create_store_engine(f"sqlite:///{database}")
    try:
        assert not inspect(engine).has_table("erased_patient")
    finally:
        engine.dispose()


def test_dry_run_table_says_nothing_stored_when_store_is_missing(
    tmp_path: Path, node_config: Path
) -> None:
    result = run_cli(
        "ingest", "--config", node_config, "--dry-run", write_tiny_export(tmp_path / "e")
    )
    assert result.exit_code == 0, result.output
    assert "dry run, nothing stored" in result.stdout
    assert "to insert" in result.stdout
    assert "dry run: nothing stored" in result.stderr
    assert not (node_config.parent / "node.db").exists()

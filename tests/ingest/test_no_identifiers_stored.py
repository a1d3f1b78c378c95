"""No direct identifier from an export reaches the database file (WAL included) or any output."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pytest

from app.ingest import IngestRejected, ingest_export
from app.store import create_store_engine, upgrade_schema
from tests.ingest.support import (
    IDENTIFYING_VALUES,
    SECRET,
    database_files,
    run_cli,
    write_tiny_export,
)


def raw_bytes(database: Path) -> bytes:
    """Return the database, WAL and shared-memory files as one byte string."""
    return b"".join(database_files(database).values())


def synth_identifiers(export: Path) -> set[str]:
    """Return names, national ids and full birth dates of a synthetic CSV export.

    Postal codes of the synthetic export are 4-digit numbers, which occur in any large binary file
    by chance; the tiny export's distinctive postal codes cover them instead.
    """
    found: set[str] = set()
    with (export / "csv" / "patients.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found.update(
                row[column]
                for column in ("national_id", "family_name", "given_name", "birth_date")
                if len(row[column]) >= 4
            )
    return found


def test_ingest_stores_no_identifier_in_database_or_wal(tmp_path: Path) -> None:
    export = write_tiny_export(tmp_path / "export")
    database = tmp_path / "store.db"
    engine = create_store_engine(f"sqlite:///{database}")
    upgrade_schema(engine)
    ingest_export(engine=engine, paths=[export], secret=SECRET, timezone="Europe/Oslo")
    while_open = raw_bytes(database)  # the WAL holds the fresh pages until a checkpoint
    engine.dispose()
    for blob in (while_open, raw_bytes(database)):
        for value in IDENTIFYING_VALUES:
            assert value.encode() not in blob, value


@pytest.mark.parametrize("fmt", ["csv", "fhir"])
def test_ingest_of_synthetic_export_leaks_no_identifier(
    tmp_path: Path, synth_export: Path, fmt: str
) -> None:
    database = tmp_path / "store.db"
    engine = create_store_engine(f"sqlite:///{database}")
    upgrade_schema(engine)
    ingest_export(engine=engine, paths=[synth_export / fmt], secret=SECRET, timezone="UTC")
    while_open = raw_bytes(database)
    engine.dispose()
    identifiers = synth_identifiers(synth_export)
    assert len(identifiers) > 100
    for blob in (while_open, raw_bytes(database)):
        leaked = sorted(value for value in identifiers if value.encode() in blob)
        assert leaked == []


def test_cli_output_and_logs_hold_no_identifier(
    tmp_path: Path, node_config: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    export = write_tiny_export(tmp_path / "export")
    outputs = []
    for args in (
        ("ingest", "--config", node_config, export),
        ("ingest", "--config", node_config, "--json", export),
        ("check", export),
        ("erase", "--config", node_config, "--patient-id", "PX-0001"),
    ):
        result = run_cli(*args)
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout + result.stderr)
    text = "\n".join(outputs) + caplog.text
    for value in IDENTIFYING_VALUES:
        assert value not in text
    assert raw_bytes(node_config.parent / "node.db").count(b"PX-0001") == 0


def test_rejected_rows_report_no_identifier(tmp_path: Path, engine: object) -> None:
    export = write_tiny_export(tmp_path / "export")
    text = (export / "patients.csv").read_text(encoding="utf-8")
    # Identifiers written into the wrong columns: still no value may be echoed.
    (export / "patients.csv").write_text(
        text.replace("female", "Quackenbush").replace("F32.1", "NID-27182818"), encoding="utf-8"
    )
    rejects = tmp_path / "rejects.csv"
    with pytest.raises(IngestRejected) as caught:
        ingest_export(
            engine=engine,  # type: ignore[arg-type]
            paths=[export],
            secret=SECRET,
            timezone="UTC",
            rejects_path=rejects,
        )
    messages = "\n".join(str(issue) for issue in caught.value.issues) + str(caught.value)
    assert "patients.csv:2:sex: code not in value set sex" in messages
    for value in ("Quackenbush", "NID-27182818"):
        assert value not in messages
        assert value not in rejects.read_text(encoding="utf-8")

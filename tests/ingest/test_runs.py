"""One transaction per run: atomic by default, --skip-invalid keeps the valid rows, --dry-run
stores nothing; the CLI's report, JSON, progress and exit codes; erasure."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from app.deid import pseudonymise_patient_id
from app.errors import InputError
from app.ingest import IngestRejected, ingest_export
from app.store import create_store_engine
from tests.ingest.support import (
    ADMINISTRATIONS,
    SECRET,
    database_files,
    erase,
    run_cli,
    write_tiny_export,
)


def count(engine: Engine, table: str) -> int:
    """Return the number of rows in ``table``."""
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def bad_export(tmp_path: Path) -> Path:
    """The tiny export with one administration whose route is not a KetaNet code."""
    rows = copy.deepcopy(ADMINISTRATIONS)
    rows[2]["route"] = "rectal"
    return write_tiny_export(tmp_path / "bad", administrations=rows)


def test_invalid_row_stores_nothing_and_reports_every_error(tmp_path: Path, engine: Engine) -> None:
    rows = copy.deepcopy(ADMINISTRATIONS)
    rows[0]["dose_mg"] = "0"
    rows[2].update(route="rectal", drug="ketamin")
    export = write_tiny_export(tmp_path / "bad", administrations=rows)
    with pytest.raises(IngestRejected) as caught:
        ingest_export(engine=engine, paths=[export], secret=SECRET, timezone="UTC")
    assert [str(issue) for issue in caught.value.issues] == [
        "administrations.csv:2:dose_mg: must be > 0 and <= 10000",
        "administrations.csv:4:drug: code not in value set drug",
        "administrations.csv:4:route: code not in value set route",
    ]
    assert isinstance(caught.value, InputError)
    report = caught.value.report
    assert not report.committed
    assert report.total("rejected") == 2
    assert count(engine, "patient") == count(engine, "ingest_run") == 0


def test_skip_invalid_stores_valid_rows_and_writes_rejects(tmp_path: Path, engine: Engine) -> None:
    rejects = tmp_path / "out" / "rejects.csv"
    report = ingest_export(
        engine=engine,
        paths=[bad_export(tmp_path)],
        secret=SECRET,
        timezone="UTC",
        skip_invalid=True,
        rejects_path=rejects,
    )
    assert report.committed
    assert report.total("rejected") == 1
    assert count(engine, "administration") == 2
    assert count(engine, "patient") == 3
    with rejects.open(encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [
            ["file", "line", "field", "rule"],
            ["administrations.csv", "4", "route", "code not in value set route"],
        ]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT status FROM ingest_run")).scalar_one() == "partial"


def test_dry_run_counts_but_leaves_database_unchanged(tmp_path: Path, node_config: Path) -> None:
    tiny = write_tiny_export(tmp_path / "a")
    assert run_cli("ingest", "--config", node_config, tiny).exit_code == 0
    database = node_config.parent / "node.db"
    before = database_files(database)
    result = run_cli("ingest", "--config", node_config, "--dry-run", "--json", tiny)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["dry_run"] and not document["committed"]
    assert document["totals"]["unchanged"] == 13
    assert database_files(database) == before


def test_cli_prints_table_and_exits_zero(tmp_path: Path, node_config: Path) -> None:
    result = run_cli("ingest", "--config", node_config, write_tiny_export(tmp_path / "e"))
    assert result.exit_code == 0, result.output
    assert "administrations.csv" in result.stdout
    assert "stored (ingest run 1); 0 problem(s)" in result.stderr


def test_cli_json_report_lists_files_and_issues(tmp_path: Path, node_config: Path) -> None:
    result = run_cli("ingest", "--config", node_config, "--json", bad_export(tmp_path))
    assert result.exit_code == InputError.exit_code
    document = json.loads(result.stdout)
    assert document["issues"] == ["administrations.csv:4:route: code not in value set route"]
    assert {row["file"] for row in document["files"]} >= {"patients.csv", "administrations.csv"}
    assert "administrations.csv:4:route: code not in value set route" in result.stderr


def test_cli_skip_invalid_exits_zero_with_rejects_beside_config(
    tmp_path: Path, node_config: Path
) -> None:
    result = run_cli("ingest", "--config", node_config, "--skip-invalid", bad_export(tmp_path))
    assert result.exit_code == 0, result.output
    rejects = list((node_config.parent / "rejects").glob("ingest-*.csv"))
    assert len(rejects) == 1
    assert "administrations.csv,4,route,code not in value set route" in rejects[0].read_text()


def test_cli_refuses_missing_config_with_config_exit_code(tmp_path: Path) -> None:
    result = run_cli("ingest", "--config", tmp_path / "absent.toml", tmp_path)
    assert result.exit_code == 3
    assert result.stderr.startswith("error: ")


def test_cli_refuses_mixed_export_without_mapping(
    tmp_path: Path, node_config: Path, synth_export: Path
) -> None:
    result = run_cli("ingest", "--config", node_config, synth_export / "csv", synth_export / "fhir")
    assert result.exit_code == InputError.exit_code
    assert "mixes CSV and NDJSON" in result.stderr


def test_progress_callback_counts_every_row(tmp_path: Path, engine: Engine) -> None:
    told: list[int] = []
    ingest_export(
        engine=engine,
        paths=[write_tiny_export(tmp_path / "e")],
        secret=SECRET,
        timezone="UTC",
        progress=told.append,
    )
    assert sum(told) == 13


def test_erase_patient_removes_every_record(tmp_path: Path, engine: Engine) -> None:
    ingest_export(
        engine=engine, paths=[write_tiny_export(tmp_path / "e")], secret=SECRET, timezone="UTC"
    )
    deleted = erase(engine, "PX-0001")
    # patient, 2 administrations, 2 observations, 1 adverse event
    assert deleted == 6
    pseudonym = pseudonymise_patient_id(SECRET, "PX-0001")
    with engine.connect() as connection:
        for table in ("administration", "observation", "adverse_event"):
            found = connection.execute(
                text(f"SELECT count(*) FROM {table} WHERE patient_id = :p"),
                {"p": pseudonym},
            ).scalar_one()
            assert found == 0
    assert count(engine, "patient") == 2
    assert erase(engine, "PX-0001") == 0


def test_cli_node_erase_prints_count_and_audits(tmp_path: Path, node_config: Path) -> None:
    assert (
        run_cli("ingest", "--config", node_config, write_tiny_export(tmp_path / "e")).exit_code == 0
    )
    result = run_cli("erase", "--config", node_config, "--patient-id", "PX-0002", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"erased_records": 4}  # patient, AX-03, OX-03, EX-02
    engine = create_store_engine(f"sqlite:///{node_config.parent / 'node.db'}")
    try:
        with engine.connect() as connection:
            action, target = connection.execute(
                text("SELECT action, target FROM audit_log ORDER BY seq DESC LIMIT 1")
            ).one()
    finally:
        engine.dispose()
    assert action == "erase"
    assert target == "Patient/" + pseudonymise_patient_id(SECRET, "PX-0002")


def test_file_named_twice_is_read_once(tmp_path: Path, engine: Engine) -> None:
    export = write_tiny_export(tmp_path / "e")
    report = ingest_export(
        engine=engine, paths=[export, export / "patients.csv"], secret=SECRET, timezone="UTC"
    )
    assert report.total("read") == 13
    assert report.total_rejected == 0


def test_cli_node_erase_refuses_an_unknown_id_and_records_nothing(
    tmp_path: Path, node_config: Path
) -> None:
    assert (
        run_cli("ingest", "--config", node_config, write_tiny_export(tmp_path / "e")).exit_code == 0
    )
    engine = create_store_engine(f"sqlite:///{node_config.parent / 'node.db'}")

    def state() -> tuple[int, int]:
        with engine.connect() as connection:
            audit = connection.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
            erased = connection.execute(text("SELECT count(*) FROM erased_patient")).scalar_one()
        return audit, erased

    try:
        before = state()
        result = run_cli("erase", "--config", node_config, "--patient-id", "PX-9999")
        assert result.exit_code == 6
        assert "no patient with that id" in result.stderr and "PX-9999" not in result.output
        assert state() == before  # no audit entry, no erasure that would bar a later import
        ahead = run_cli(
            "erase", "--config", node_config, "--patient-id", "PX-9999", "--before-import"
        )
        assert ahead.exit_code == 0, ahead.output
        assert state() == (before[0] + 1, before[1] + 1)
    finally:
        engine.dispose()

"""A rejected atomic ingest stores nothing, and its report claims no insert."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from app.errors import InputError
from tests.ingest.support import ADMINISTRATIONS, run_cli, write_tiny_export


def bad_export(tmp_path: Path) -> Path:
    """The tiny export (13 rows) with one administration whose dose is not a number."""
    rows = copy.deepcopy(ADMINISTRATIONS)
    rows[1]["dose_mg"] = "lots"
    return write_tiny_export(tmp_path / "bad", administrations=rows)


def test_rejected_ingest_json_claims_no_insert_when_a_row_is_invalid(
    tmp_path: Path, node_config: Path
) -> None:
    result = run_cli("ingest", "--config", node_config, "--json", bad_export(tmp_path))
    assert result.exit_code == InputError.exit_code
    document = json.loads(result.stdout)
    assert document["stored"] is False and document["committed"] is False
    assert document["compared"] is False
    totals = document["totals"]
    assert totals["inserted"] == totals["updated"] == totals["unchanged"] == 0
    assert (totals["read"], totals["valid"], totals["rejected"]) == (13, 12, 1)
    files = {row["file"]: row for row in document["files"]}
    assert files["administrations.csv"]["valid"] == 2
    assert files["administrations.csv"]["inserted"] == 0
    assert files["patients.csv"]["valid"] == 3
    assert files["patients.csv"]["inserted"] == 0


def test_rejected_ingest_table_shows_valid_rows_when_a_row_is_invalid(
    tmp_path: Path, node_config: Path
) -> None:
    result = run_cli("ingest", "--config", node_config, bad_export(tmp_path))
    assert result.exit_code == InputError.exit_code
    assert "NOTHING STORED" in result.stdout
    header = next(line for line in result.stdout.splitlines() if line.strip().startswith("file"))
    assert header.split() == ["file", "record", "read", "valid", "rejected"]
    assert "inserted" not in result.stdout
    assert "nothing stored; 1 problem(s)" in result.stderr


def test_rejected_ingest_then_fixed_export_inserts_every_row_when_rerun(
    tmp_path: Path, node_config: Path
) -> None:
    assert run_cli("ingest", "--config", node_config, bad_export(tmp_path)).exit_code != 0
    result = run_cli(
        "ingest", "--config", node_config, "--json", write_tiny_export(tmp_path / "ok")
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["stored"] is True
    assert document["totals"]["inserted"] == document["totals"]["valid"] == 13


def test_dry_run_claims_no_insert_when_a_row_is_invalid(tmp_path: Path, node_config: Path) -> None:
    result = run_cli("ingest", "--config", node_config, "--dry-run", "--json", bad_export(tmp_path))
    assert result.exit_code == InputError.exit_code
    totals = json.loads(result.stdout)["totals"]
    assert totals["inserted"] == 0
    assert totals["valid"] == 12

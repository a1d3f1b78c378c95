"""The bad-input corpus: each broken export is refused with a precise ``file:line:field: rule``
that does not quote the bad value, a non-zero exit, and a database left byte-for-byte unchanged."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from app.errors import InputError
from tests.ingest.support import (
    ADMINISTRATIONS,
    DISPENSES,
    PATIENTS,
    database_files,
    run_cli,
    write_csv,
    write_tiny_export,
)


def refused_unchanged(node_config: Path, export: Path, expected: str, hidden: str | None) -> None:
    """Ingest a good export, then ``export``: assert refusal, message, no value, no change."""
    good = write_tiny_export(node_config.parent / "good")
    assert run_cli("ingest", "--config", node_config, good).exit_code == 0
    database = node_config.parent / "node.db"
    before = database_files(database)
    result = run_cli("ingest", "--config", node_config, export)
    assert result.exit_code == InputError.exit_code, result.output
    assert expected in result.stderr.splitlines(), result.stderr
    if hidden is not None:
        assert hidden not in result.stdout
        assert hidden not in result.stderr
    assert database_files(database) == before


def administrations_with(tmp_path: Path, line: int, **changes: str) -> Path:
    """Write the tiny export with data line ``line`` (2 = first row) of administrations changed."""
    rows = copy.deepcopy(ADMINISTRATIONS)
    rows[line - 2].update(changes)
    return write_tiny_export(tmp_path / "bad", administrations=rows)


def test_ingest_refuses_export_missing_required_column(tmp_path: Path, node_config: Path) -> None:
    export = write_tiny_export(tmp_path / "bad")
    columns = [column for column in ADMINISTRATIONS[0] if column != "route"]
    write_csv(export / "administrations.csv", ADMINISTRATIONS, columns=columns)
    refused_unchanged(
        node_config, export, "administrations.csv:1:route: required column missing", None
    )


def test_ingest_refuses_export_with_bad_date(tmp_path: Path, node_config: Path) -> None:
    export = administrations_with(tmp_path, 3, administered_at="03/04/2024 10:30")
    expected = "administrations.csv:3:administered_at: not a date/time in the format ISO 8601"
    refused_unchanged(node_config, export, expected, "03/04/2024")


def test_ingest_refuses_export_with_impossible_date(tmp_path: Path, node_config: Path) -> None:
    export = administrations_with(tmp_path, 3, administered_at="2024-02-30T10:30:00")
    expected = "administrations.csv:3:administered_at: impossible date/time (no such day or time)"
    refused_unchanged(node_config, export, expected, "2024-02-30")


def test_ingest_refuses_export_with_unknown_code(tmp_path: Path, node_config: Path) -> None:
    export = administrations_with(tmp_path, 2, route="intravenous-drip")
    expected = "administrations.csv:2:route: code not in value set route"
    refused_unchanged(node_config, export, expected, "intravenous-drip")


def test_ingest_refuses_export_with_negative_dose(tmp_path: Path, node_config: Path) -> None:
    export = administrations_with(tmp_path, 4, dose_mg="-56.25")
    expected = "administrations.csv:4:dose_mg: must be > 0 and <= 10000"
    refused_unchanged(node_config, export, expected, "-56.25")


def test_ingest_refuses_export_with_non_numeric_dose(tmp_path: Path, node_config: Path) -> None:
    export = administrations_with(tmp_path, 4, dose_mg="fifty-six")
    refused_unchanged(
        node_config, export, "administrations.csv:4:dose_mg: not a number", "fifty-six"
    )


def test_ingest_refuses_export_with_duplicate_id(tmp_path: Path, node_config: Path) -> None:
    export = administrations_with(tmp_path, 4, administration_id="AX-01")
    expected = "administrations.csv:4:administration_id: duplicate id in the export"
    refused_unchanged(node_config, export, expected, "AX-01")


def test_ingest_refuses_export_with_unknown_patient_reference(
    tmp_path: Path, node_config: Path
) -> None:
    export = administrations_with(tmp_path, 4, patient_id="PX-4242")
    expected = "administrations.csv:4:patient_id: unknown patient reference"
    refused_unchanged(node_config, export, expected, "PX-4242")


def test_ingest_refuses_export_with_non_utf8_bytes(tmp_path: Path, node_config: Path) -> None:
    export = write_tiny_export(tmp_path / "bad")
    path = export / "patients.csv"
    path.write_bytes(path.read_bytes().replace(b"Vanderwaal", b"Vander\xe5\xffaal"))
    refused_unchanged(node_config, export, "patients.csv:3:family_name: not valid UTF-8", "Vander")


def test_ingest_refuses_export_with_truncated_last_line(tmp_path: Path, node_config: Path) -> None:
    export = write_tiny_export(tmp_path / "bad")
    path = export / "administrations.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.rindex(",56,") + 3], encoding="utf-8")  # cut inside line 4
    expected = (
        "administrations.csv:4:weight_kg: truncated last line "
        "(no line end and fewer fields than the header)"
    )
    refused_unchanged(node_config, export, expected, None)


def test_ingest_refuses_export_with_empty_file(tmp_path: Path, node_config: Path) -> None:
    export = write_tiny_export(tmp_path / "bad")
    (export / "observations.csv").write_bytes(b"")
    refused_unchanged(node_config, export, "observations.csv: empty file (no header)", None)


def test_ingest_refuses_export_with_header_only(tmp_path: Path, node_config: Path) -> None:
    export = write_tiny_export(tmp_path / "bad")
    write_csv(export / "dispenses.csv", [], columns=list(DISPENSES[0]))
    refused_unchanged(node_config, export, "dispenses.csv:1: header only, no data rows", None)


@pytest.mark.parametrize("birth_date", ["1979-13-17", "17.04.1979"])
def test_ingest_refuses_patient_with_bad_birth_date(
    tmp_path: Path, node_config: Path, birth_date: str
) -> None:
    patients = copy.deepcopy(PATIENTS)
    patients[0]["birth_date"] = birth_date
    export = write_tiny_export(tmp_path / "bad", patients=patients)
    result = run_cli("ingest", "--config", node_config, export)
    assert result.exit_code == InputError.exit_code
    assert any(
        line.startswith("patients.csv:2:birth_date: ") for line in result.stderr.splitlines()
    )
    assert birth_date not in result.output

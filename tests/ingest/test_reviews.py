"""Prescriber reviews and BPICSS at ingest: stored from CSV and FHIR, bad rows refused with a
located error that never quotes the value, the database left unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import text

from app.errors import InputError
from app.package_data import data_path
from app.store import create_store_engine
from tests.ingest.support import database_files, run_cli

EXAMPLES = data_path("mappings/examples")


def _copy(example: str, tmp_path: Path) -> Path:
    export = tmp_path / example
    shutil.copytree(EXAMPLES / example, export)
    return export


def _stored(database: Path, sql: str) -> list[tuple[object, ...]]:
    engine = create_store_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text(sql))]
    engine.dispose()
    return rows


def test_reviews_and_bpicss_are_stored_the_same_from_csv_and_fhir(
    tmp_path: Path, node_config: Path
) -> None:
    database = node_config.parent / "node.db"
    found = []
    for example in ("reference-csv", "fhir-r4-bulk"):
        if database.exists():
            database.unlink()
        result = run_cli("ingest", "--config", node_config, _copy(example, tmp_path))
        assert result.exit_code == 0, result.stderr
        found.append(
            (
                _stored(database, "SELECT id, patient_id, at_s, day FROM review ORDER BY at_s"),
                _stored(database, "SELECT value FROM observation WHERE code = 'BPICSS'"),
            )
        )
    reviews, bpicss = found[0]
    # 2024-05-10T16:00+02:00 and 2024-06-07T10:30+02:00 in UTC; the FHIR visit that is not a
    # prescriber review is not read.
    assert [at_s for _, _, at_s, _ in reviews] == [1715349600, 1717749000]
    assert bpicss == [(8.0,)]
    assert found[1] == found[0]


def test_review_with_a_bad_instant_is_refused_with_its_location(
    tmp_path: Path, node_config: Path
) -> None:
    export = _copy("reference-csv", tmp_path)
    reviews = export / "reviews.csv"
    reviews.write_text(
        reviews.read_text(encoding="utf-8").replace("2024-06-07T10:30:00+02:00", "2024-13-45T99"),
        encoding="utf-8",
    )
    good = _copy("reference-csv", tmp_path / "good")
    assert run_cli("ingest", "--config", node_config, good).exit_code == 0
    database = node_config.parent / "node.db"
    before = database_files(database)
    result = run_cli("ingest", "--config", node_config, export)
    assert result.exit_code == InputError.exit_code
    located = [line for line in result.stderr.splitlines() if line.startswith("reviews.csv:3:")]
    assert located and located[0].startswith("reviews.csv:3:reviewed_at: "), result.stderr
    assert "2024-13-45T99" not in result.stderr + result.stdout
    assert database_files(database) == before


def test_bpicss_outside_its_range_is_refused_with_its_location(
    tmp_path: Path, node_config: Path
) -> None:
    export = _copy("reference-csv", tmp_path)
    observations = export / "observations.csv"
    observations.write_text(
        observations.read_text(encoding="utf-8").replace(",BPICSS,8,", ",BPICSS,39,"),
        encoding="utf-8",
    )
    result = run_cli("ingest", "--config", node_config, export)
    assert result.exit_code == InputError.exit_code
    lines = observations.read_text(encoding="utf-8").splitlines()
    line = next(n for n, row in enumerate(lines, 1) if ",BPICSS," in row)
    expected = f"observations.csv:{line}:value: must be between 0 and 38 for this code"
    assert expected in result.stderr.splitlines(), result.stderr


def test_erasing_a_patient_removes_their_reviews(tmp_path: Path, node_config: Path) -> None:
    database = node_config.parent / "node.db"
    assert (
        run_cli("ingest", "--config", node_config, _copy("reference-csv", tmp_path)).exit_code == 0
    )
    assert len(_stored(database, "SELECT id FROM review")) == 2
    result = run_cli("erase", "--config", node_config, "--patient-id", "NO-P000018")
    assert result.exit_code == 0, result.stderr
    assert _stored(database, "SELECT id FROM review") == []

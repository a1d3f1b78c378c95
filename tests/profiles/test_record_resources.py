"""Registry FHIR resources: every store row converts to a resource valid in R4B; the published
conformance resources validate and match ``schemas/fhir/``; the examples match their golden Bundle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.errors import InputError
from app.ingest import ingest_export
from app.package_data import data_path
from app.profiles import (
    RECORD_KINDS,
    code_systems,
    conformance_resources,
    record_to_resource,
    validate_resource,
    value_sets,
)
from app.store import create_store_engine, upgrade_schema
from app.synth import write_synthetic_export
from tests.ingest.support import SECRET, run_cli

EXAMPLES = data_path("mappings/examples")


@pytest.fixture(scope="module")
def store_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """Every stored row of a synthetic export, by record kind."""
    folder = tmp_path_factory.mktemp("profiles")
    write_synthetic_export(country="PT", patients=30, seed=5, out_dir=folder, formats="csv")
    engine = create_store_engine(f"sqlite:///{folder / 'store.db'}")
    upgrade_schema(engine)
    ingest_export(engine=engine, paths=[folder / "csv"], secret=SECRET, timezone="Europe/Lisbon")
    with engine.connect() as connection:
        rows = {
            kind: [dict(row._mapping) for row in connection.execute(text(f"SELECT * FROM {kind}"))]
            for kind in RECORD_KINDS
        }
    engine.dispose()
    return rows


@pytest.mark.parametrize("kind", [*RECORD_KINDS, "condition"])
def test_every_store_row_gives_a_valid_r4b_resource(
    store_rows: dict[str, list[dict[str, Any]]], kind: str
) -> None:
    rows = store_rows["patient" if kind == "condition" else kind]
    assert rows
    for row in rows:
        validate_resource(record_to_resource(kind, row, country="PT"))


def test_resources_carry_ketanet_and_verified_standard_codings(
    store_rows: dict[str, list[dict[str, Any]]],
) -> None:
    row = next(r for r in store_rows["administration"] if r["route"] == "iv")
    resource = record_to_resource("administration", row)
    route_systems = [c["system"] for c in resource["dosage"]["route"]["coding"]]
    assert route_systems == ["https://ketanet.org/fhir/CodeSystem/route", "http://snomed.info/sct"]
    assert resource["effectiveDateTime"].endswith("Z")
    patient = record_to_resource("patient", store_rows["patient"][0], country="PT")
    assert patient["address"] == [{"country": "PT"}]
    assert len(patient["birthDate"]) == 4
    assert "name" not in patient and "identifier" not in patient


def test_unverified_codes_get_no_standard_coding() -> None:
    resource = record_to_resource(
        "observation",
        {"id": "o1", "patient_id": "p1", "at_s": 0, "code": "AST", "value": 30.0, "unit": "U/L"},
    )
    assert [c["system"] for c in resource["code"]["coding"]] == [
        "https://ketanet.org/fhir/CodeSystem/observation"
    ]


def test_validate_resource_refuses_broken_resources_without_values() -> None:
    with pytest.raises(InputError) as caught:
        validate_resource({"resourceType": "Patient", "gender": ["Quackenbush"]})
    assert "Quackenbush" not in str([str(issue) for issue in caught.value.issues])
    with pytest.raises(InputError):
        validate_resource({"resourceType": "NotAResource"})


def test_code_systems_and_value_sets_validate() -> None:
    for resource in code_systems() + value_sets():
        validate_resource(resource)
    assert {cs["id"] for cs in code_systems()} >= {"drug", "route", "setting", "observation"}


def test_schemas_fhir_folder_matches_the_profile() -> None:
    folder = data_path("schemas/fhir")
    published = {path.name: json.loads(path.read_text()) for path in folder.glob("*.json")}
    # Regenerate with app.profiles.structures.write_conformance_files(Path("schemas/fhir")).
    assert published == conformance_resources()
    for resource in published.values():
        validate_resource(resource)


@pytest.mark.parametrize(
    ("example", "mapping"),
    [
        ("reference-csv", None),
        ("fhir-r4-bulk", None),
        ("helsebit-csv", "helsebit-csv.yaml"),
    ],
)
def test_examples_map_to_their_golden_bundle(example: str, mapping: str | None) -> None:
    args: list[str | Path] = ["check", "--bundle", EXAMPLES / example]
    if mapping is not None:
        args += ["--mapping", EXAMPLES / mapping]
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    expected = json.loads((EXAMPLES / "expected-bundle.json").read_text(encoding="utf-8"))
    bundle, _, verdict = result.stdout.rpartition("}\n")
    assert json.loads(bundle + "}") == expected
    assert verdict.startswith("mapping check passed: ") and "nothing stored" in verdict


def test_mapping_check_without_bundle_prints_only_a_verdict() -> None:
    result = run_cli("check", EXAMPLES / "reference-csv")
    assert result.exit_code == 0, result.stderr
    [verdict] = result.stdout.splitlines()
    assert verdict.startswith("mapping check passed: ") and "(--bundle prints them)" in verdict


def test_mapping_check_summarises_a_problem_repeated_on_every_row(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    for source in (EXAMPLES / "reference-csv").iterdir():
        text_ = source.read_text(encoding="utf-8")
        if source.name == "administrations.csv":
            header, row = text_.splitlines()[:2]
            text_ = "\n".join([header, *[row.replace(",iv,", ",venous,")] * 40]) + "\n"
        (export / source.name).write_text(text_, encoding="utf-8")
    result = run_cli("check", export)
    assert result.exit_code == InputError.exit_code
    route = [line for line in result.stderr.splitlines() if "route" in line]
    assert len(route) == 4  # three located lines, then one summary of the other 37
    assert route[-1].startswith("administrations.csv:route: … 37 more of the same")
    assert result.stderr.splitlines()[-1].startswith("mapping check FAILED: ")


def test_mapping_check_reports_errors_and_exits_non_zero(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    for source in (EXAMPLES / "reference-csv").iterdir():
        text_ = source.read_text(encoding="utf-8")
        (export / source.name).write_text(text_.replace(",iv,", ",venous,"), encoding="utf-8")
    result = run_cli("check", "--limit", "2", "--bundle", export)
    assert result.exit_code == InputError.exit_code
    assert "administrations.csv:2:route: code not in value set route" in result.stderr
    assert json.loads(result.stdout)["type"] == "collection"
    # --limit 2 reads at most two data rows of each file of the example export
    read = sum(
        min(2, len(source.read_text(encoding="utf-8").splitlines()) - 1)
        for source in export.iterdir()
    )
    assert read > 2 * 5
    assert f"mapping check FAILED: 2 problem(s) in {read} row(s) read" in result.stderr

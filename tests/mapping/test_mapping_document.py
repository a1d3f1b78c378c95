"""Loading and checking mapping files: YAML pitfalls, schema errors with lines, semantic checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import InputError
from app.mapping import compile_mapping, load_mapping_document, parse_mapping_text
from app.package_data import data_path
from app.profiles import RECORD_FIELDS

PATIENT = """\
ketanet_mapping: 1
name: clinic-x
records:
  patient:
    source: {{files: patients.csv}}
    fields:
      id: {{column: pid, deid: pseudonymise}}
      birth_year: {{column: born, deid: year}}
      sex: {{column: sex, codes: {{no: male, yes: female}}}}
      diagnosis: {{column: icd}}
{extra}"""


def problems(text: str) -> list[str]:
    """Return the issues of compiling ``text`` (empty when it compiles)."""
    try:
        compile_mapping(parse_mapping_text(text, name="m.yaml"), RECORD_FIELDS)
    except InputError as error:
        return [str(issue) for issue in error.issues]
    return []


def test_yes_and_no_stay_strings_in_code_tables() -> None:
    document = parse_mapping_text(PATIENT.format(extra=""))
    codes = document.data["records"]["patient"]["fields"]["sex"]["codes"]
    assert codes == {"no": "male", "yes": "female"}


@pytest.mark.parametrize("name", ["reference-csv.yaml", "fhir-r4-bulk.yaml"])
def test_shipped_mapping_compiles_against_the_profile(name: str) -> None:
    mapping = compile_mapping(load_mapping_document(data_path(f"mappings/{name}")), RECORD_FIELDS)
    assert list(mapping.records) == list(RECORD_FIELDS)


def test_schema_errors_name_line_and_key() -> None:
    text = PATIENT.format(extra="      failed_trials: {column: n, colour: red}\n")
    assert problems(text) == [
        "m.yaml:11:records.patient.fields.failed_trials: unknown key 'colour'; allowed here: "
        "codes, column, const, decimal, default, deid, first_of, format, join, path, required, "
        "strip_prefix, time, unit (see mappings/README.md)"
    ]


def test_a_misspelt_key_is_named_with_the_nearest_allowed_one() -> None:
    text = PATIENT.format(extra="      failed_trials: {colum: n}\n")
    assert any("unknown key 'colum' (did you mean 'column'?)" in p for p in problems(text))


def test_invalid_yaml_is_refused_with_its_line() -> None:
    assert problems("name: [unclosed\nrecords: {}\n") == [
        "m.yaml:2: not valid YAML (expected ',' or ']', but got ':')"
    ]


def test_unknown_target_field_is_refused() -> None:
    text = PATIENT.format(extra="      national_id: {column: nid}\n")
    assert problems(text) == [
        "m.yaml:11:records.patient.fields.national_id: not a field of patient (fields: id, "
        "birth_year, sex, diagnosis, failed_trials, substance_use_history, psychosis_history, "
        "family_name, given_name)"
    ]


def test_name_without_deid_link_is_refused() -> None:
    text = PATIENT.format(extra="      family_name: {column: surname}\n")
    assert problems(text) == [
        "m.yaml:11:records.patient.fields.family_name: name: must say deid: link "
        "(only the linkage token is kept)"
    ]


def test_identifier_without_pseudonymise_is_refused() -> None:
    text = PATIENT.format(extra="").replace(", deid: pseudonymise", "")
    assert problems(text) == [
        "m.yaml:7:records.patient.fields.id: identifier: must say deid: pseudonymise"
    ]


def test_birth_date_without_year_transform_is_refused() -> None:
    text = PATIENT.format(extra="").replace(", deid: year", "")
    assert problems(text) == [
        "m.yaml:8:records.patient.fields.birth_year: birth date: must say deid: year "
        "(only the year is kept)"
    ]


def test_unmapped_required_field_is_refused() -> None:
    text = PATIENT.format(extra="").replace("      diagnosis: {column: icd}\n", "")
    assert problems(text) == [
        "m.yaml:6:records.patient.fields: required field diagnosis is not mapped"
    ]


def test_derived_id_may_not_be_mapped() -> None:
    text = """\
ketanet_mapping: 1
name: x
records:
  discontinuation:
    source: {files: stops.csv}
    fields:
      id: {column: stop_id, deid: pseudonymise}
      patient_id: {column: pid, deid: pseudonymise}
      stopped_at: {column: at}
      reason: {column: why}
"""
    assert problems(text) == [
        "m.yaml:7:records.discontinuation.fields.id: derived by KetaNet from other fields "
        "(keeps ids equal across exports); do not map it"
    ]


def test_columns_paths_units_and_zones_are_checked() -> None:
    text = """\
ketanet_mapping: 1
name: x
timezone: Mars/Olympus
records:
  administration:
    source: {files: MedicationAdministration.ndjson}
    fields:
      id: {column: id, deid: pseudonymise}
      patient_id: {path: "subject..reference", deid: pseudonymise}
      administered_at: {path: effectiveDateTime, unit: mg}
      drug: {path: drug, join: nowhere}
      route: {const: iv}
      dose_mg: {path: dose, unit: stone}
      setting: {const: clinic, format: "%Y"}
"""
    assert problems(text) == [
        "m.yaml:3:timezone: unknown time zone (use an IANA name, e.g. Europe/Oslo)",
        "m.yaml:10:records.administration.fields.administered_at.unit: this field has no unit "
        "to convert to: remove unit",
        "m.yaml:13:records.administration.fields.dose_mg.unit: unknown unit "
        "(mg, g, kg, ug, mcg, lb, oz)",
        "m.yaml:14:records.administration.fields.setting.format: format applies to dates and "
        "date-times only",
        "m.yaml:8:records.administration.fields.id.column: NDJSON sources are read with path, "
        "not column",
        "m.yaml:9:records.administration.fields.patient_id.path: not a simple FHIR path: "
        "bad path step at character 9",
        "m.yaml:11:records.administration.fields.drug.join: join names no alias under this "
        "record's join",
    ]


def test_missing_mapping_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="mapping file does not exist"):
        load_mapping_document(tmp_path / "absent.yaml")


def test_readme_documents_every_registry_field() -> None:
    readme = data_path("mappings/README.md").read_text(encoding="utf-8")
    for kind, fields in RECORD_FIELDS.items():
        assert f"`{kind}`" in readme
        for field in fields:
            assert f"`{field.name}`" in readme, (kind, field.name)
    schema_keys = {"column", "path", "const", "first_of", "strip_prefix", "codes", "default"}
    schema_keys |= {"required", "format", "time", "unit", "decimal", "deid", "where", "join"}
    for key in schema_keys:
        assert f"`{key}" in readme, key


def test_resource_type_check_is_refused_on_csv_sources() -> None:
    text = PATIENT.format(extra="").replace(
        "{files: patients.csv}", "{files: p.csv, resource: Patient}"
    )
    assert problems(text) == [
        "m.yaml:5:records.patient.source: resource applies to NDJSON sources only"
    ]


def test_each_is_refused_on_csv_sources() -> None:
    text = PATIENT.format(extra="").replace("{files: patients.csv}", "{files: p.csv, each: item}")
    assert problems(text) == [
        "m.yaml:5:records.patient.source: each applies to NDJSON sources only"
    ]

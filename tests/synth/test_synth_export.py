"""The export on disk: layout, exact columns, determinism, counts, progress and argument checks."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from app.errors import InputError
from app.synth import ExportFormat, SynthSummary, write_synthetic_export
from app.synth.generator import generate_patients

# docs/dataset.md, in order
DESIGN_COLUMNS = {
    "patients.csv": "patient_id national_id family_name given_name birth_date sex postal_code "
    "diagnosis failed_trials substance_use_history psychosis_history",
    "administrations.csv": "administration_id patient_id administered_at drug route dose_mg "
    "weight_kg setting lot_number",
    "dispenses.csv": "dispense_id patient_id dispensed_at drug route quantity_mg days_supply",
    "observations.csv": "observation_id patient_id observed_at code value unit",
    "adverse_events.csv": "event_id patient_id onset_at event severity serious outcome "
    "administration_id",
    "discontinuations.csv": "patient_id stopped_at reason",
    "reviews.csv": "review_id patient_id reviewed_at",
    "experience.csv": "response_id patient_id completed_at item answer",
    "consents.csv": "consent_id patient_id recorded_at kind",
}
FHIR_FILES = {
    "Patient.ndjson",
    "Condition.ndjson",
    "MedicationAdministration.ndjson",
    "MedicationDispense.ndjson",
    "Observation.ndjson",
    "Encounter.ndjson",
    "AdverseEvent.ndjson",
    "MedicationStatement.ndjson",
    "QuestionnaireResponse.ndjson",
    "Consent.ndjson",
}


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.*"))}


def test_csv_header_matches_design_exactly(small_export: tuple[Path, SynthSummary]) -> None:
    out, _ = small_export
    assert {p.name for p in (out / "csv").iterdir()} == set(DESIGN_COLUMNS)
    for name, columns in DESIGN_COLUMNS.items():
        first_line = (out / "csv" / name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert first_line == ",".join(columns.split()), name


def test_both_formats_write_csv_and_fhir_folders(small_export: tuple[Path, SynthSummary]) -> None:
    out, _ = small_export
    assert {p.name for p in out.iterdir()} == {"csv", "fhir"}
    assert {p.name for p in (out / "fhir").iterdir()} == FHIR_FILES


@pytest.mark.parametrize(("fmt", "folder"), [("csv", "csv"), ("fhir-ndjson", "fhir")])
def test_single_format_writes_only_its_folder(
    tmp_path: Path, fmt: ExportFormat, folder: str
) -> None:
    summary = write_synthetic_export(
        country="PT", patients=5, seed=1, out_dir=tmp_path, formats=fmt
    )
    assert [p.name for p in tmp_path.iterdir()] == [folder]
    assert all(path.startswith(f"{folder}/") for path, _ in summary.files)


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    for run in ("a", "b"):
        write_synthetic_export(country="PT", patients=60, seed=42, out_dir=tmp_path / run)
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(first) == 19
    assert first == second


def test_different_seed_gives_different_data(tmp_path: Path) -> None:
    for run, seed in (("a", 1), ("b", 2)):
        write_synthetic_export(country="PT", patients=60, seed=seed, out_dir=tmp_path / run)
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert first.keys() == second.keys()
    assert all(first[name] != second[name] for name in first)


def test_smaller_export_is_prefix_of_larger_with_same_seed(tmp_path: Path) -> None:
    write_synthetic_export(country="NO", patients=20, seed=3, out_dir=tmp_path / "small")
    write_synthetic_export(country="NO", patients=45, seed=3, out_dir=tmp_path / "large")
    small, large = _files(tmp_path / "small"), _files(tmp_path / "large")
    for name, content in small.items():
        assert large[name].startswith(content), name


def test_summary_counts_match_file_lines(small_export: tuple[Path, SynthSummary]) -> None:
    out, summary = small_export
    assert summary.country == "NO" and summary.patients == 150
    for relative, rows in summary.files:
        lines = (out / relative).read_bytes().count(b"\n")
        assert lines == rows + (1 if relative.endswith(".csv") else 0), relative
    counts = dict(summary.files)
    assert counts["csv/administrations.csv"] == summary.administrations
    assert counts["fhir/MedicationAdministration.ndjson"] == summary.administrations
    assert counts["fhir/AdverseEvent.ndjson"] == summary.adverse_events
    assert counts["fhir/MedicationStatement.ndjson"] == summary.discontinuations
    assert counts["fhir/Condition.ndjson"] == summary.patients


def test_progress_reports_every_patient_in_steps(tmp_path: Path) -> None:
    steps: list[int] = []
    write_synthetic_export(
        country="NO", patients=1234, seed=1, out_dir=tmp_path, formats="csv", progress=steps.append
    )
    assert sum(steps) == 1234
    assert len(steps) == 3 and max(steps) <= 500


def test_generation_is_lazy_patient_by_patient() -> None:
    patients = generate_patients(country="NO", patients=10**9, seed=1)
    assert inspect.isgenerator(patients)
    assert next(patients).patient.patient_id == "NO-P000001"


def test_zero_patients_gives_no_files(tmp_path: Path) -> None:
    summary = write_synthetic_export(country="NO", patients=0, seed=1, out_dir=tmp_path)
    assert summary.files == ()
    assert list((tmp_path / "csv").iterdir()) == []


@pytest.mark.parametrize("country", ["", "N", "NOR", "1X", "N-", "Ø1"])
def test_malformed_country_is_refused(tmp_path: Path, country: str) -> None:
    with pytest.raises(InputError):
        write_synthetic_export(country=country, patients=1, seed=1, out_dir=tmp_path)


def test_negative_patient_count_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        write_synthetic_export(country="NO", patients=-1, seed=1, out_dir=tmp_path)


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        write_synthetic_export(
            country="NO",
            patients=1,
            seed=1,
            out_dir=tmp_path,
            formats="xml",  # type: ignore[arg-type]
        )


def test_lowercase_country_is_normalised(tmp_path: Path) -> None:
    summary = write_synthetic_export(country="pt", patients=2, seed=1, out_dir=tmp_path)
    assert summary.country == "PT"
    assert "PT-P000001" in (tmp_path / "csv" / "patients.csv").read_text(encoding="utf-8")


def test_record_types_without_rows_get_no_file(tmp_path: Path) -> None:
    # a header-only CSV or an empty NDJSON file is refused at ingest, so none is written
    summary = write_synthetic_export(country="NO", patients=5, seed=1, out_dir=tmp_path)
    assert summary.dispenses == 0
    assert not (tmp_path / "csv" / "dispenses.csv").exists()
    assert not (tmp_path / "fhir" / "MedicationDispense.ndjson").exists()
    assert all(count > 0 for _name, count in summary.files)

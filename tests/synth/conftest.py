"""Shared synthetic exports and cohorts, generated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.synth import SynthSummary, write_synthetic_export
from app.synth.generator import generate_patients
from app.synth.records import PatientBundle


@pytest.fixture(scope="session")
def small_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthSummary]:
    """A 150-patient Norwegian export in both formats."""
    out = tmp_path_factory.mktemp("synth-small")
    summary = write_synthetic_export(country="NO", patients=150, seed=11, out_dir=out)
    return out, summary


@pytest.fixture(scope="session")
def cohorts() -> dict[str, list[PatientBundle]]:
    """In-memory cohorts of 2,000 patients for Norway, Germany and Portugal."""
    return {
        country: list(generate_patients(country=country, patients=2000, seed=5))
        for country in ("NO", "DE", "PT")
    }


@pytest.fixture(scope="session")
def norway(cohorts: dict[str, list[PatientBundle]]) -> list[PatientBundle]:
    """The Norwegian cohort."""
    return cohorts["NO"]

"""Write a synthetic national registry export to disk: reference CSV, FHIR NDJSON or both."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from app.errors import InputError
from app.synth.countries import country_profile
from app.synth.csv_export import CsvExportWriter
from app.synth.fhir_export import FhirNdjsonWriter
from app.synth.generator import generate_patients
from app.synth.travellers import TravellerOptions

ExportFormat = Literal["csv", "fhir-ndjson", "both"]

_PROGRESS_STEP = 500


@dataclass(frozen=True)
class SynthSummary:
    """What an export holds: record counts, and the data rows of every file written."""

    country: str
    seed: int
    patients: int
    administrations: int
    dispenses: int
    observations: int
    adverse_events: int
    discontinuations: int
    files: tuple[tuple[str, int], ...]
    """(path relative to the output folder, data rows or NDJSON lines) for every file written."""
    travellers: int = 0
    """Patients drawn from the network's traveller pool (treated in other countries too)."""
    experience_answers: int = 0
    """Answered PREM items (``experience.csv`` rows)."""
    consents: int = 0


def write_synthetic_export(
    *,
    country: str,
    patients: int,
    seed: int,
    out_dir: Path,
    formats: ExportFormat = "both",
    progress: Callable[[int], None] | None = None,
    travellers: TravellerOptions | None = None,
) -> SynthSummary:
    """Write the export under ``out_dir`` (``csv/``, ``fhir/``) and return its counts.

    Deterministic for (country, patients, seed, travellers): the same arguments give
    byte-identical files. ``travellers`` draws some patients from the network's traveller pool
    (the same people in every export made with the same network seed).
    ``progress`` is called with the number of patients written since its previous call.
    Raises InputError for a malformed country code, a negative patient count or an unknown format.
    """
    if formats not in get_args(ExportFormat):
        raise InputError(f"format must be one of {', '.join(get_args(ExportFormat))}")
    if patients < 0:
        raise InputError("patients must be zero or more")
    profile = country_profile(country)
    out_dir = Path(out_dir)
    counts = dict.fromkeys(
        (
            "administrations",
            "dispenses",
            "observations",
            "adverse_events",
            "discontinuations",
            "travellers",
            "experience_answers",
            "consents",
        ),
        0,
    )
    with ExitStack() as stack:
        csv_writer = fhir_writer = None
        if formats in ("csv", "both"):
            csv_writer = stack.enter_context(CsvExportWriter(out_dir / "csv"))
        if formats in ("fhir-ndjson", "both"):
            fhir_writer = stack.enter_context(FhirNdjsonWriter(out_dir / "fhir", profile.code))
        pending = 0
        bundles = generate_patients(
            country=profile.code, patients=patients, seed=seed, travellers=travellers
        )
        for bundle in bundles:
            if csv_writer is not None:
                csv_writer.write(bundle)
            if fhir_writer is not None:
                fhir_writer.write(bundle)
            counts["administrations"] += len(bundle.administrations)
            counts["dispenses"] += len(bundle.dispenses)
            counts["observations"] += len(bundle.observations)
            counts["adverse_events"] += len(bundle.adverse_events)
            counts["discontinuations"] += len(bundle.discontinuations)
            counts["travellers"] += bundle.pool_index is not None
            counts["experience_answers"] += len(bundle.experience)
            counts["consents"] += len(bundle.consents)
            pending += 1
            if progress is not None and pending == _PROGRESS_STEP:
                progress(pending)
                pending = 0
        if progress is not None and pending:
            progress(pending)
    files: list[tuple[str, int]] = []
    if csv_writer is not None:
        files += [(f"csv/{name}", n) for name, n in csv_writer.rows.items() if n]
    if fhir_writer is not None:
        files += [(f"fhir/{name}", n) for name, n in fhir_writer.rows.items() if n]
    return SynthSummary(
        country=profile.code, seed=seed, patients=patients, **counts, files=tuple(files)
    )

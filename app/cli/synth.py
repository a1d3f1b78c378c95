"""``ketanet synth``: write a deterministic synthetic national registry export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.synth import TravellerOptions, write_synthetic_export


def synth(
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 country code.")],
    patients: Annotated[int, typer.Option(min=1, help="Number of patients.")],
    out: Annotated[Path, typer.Option(help="Output folder.")],
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same bytes).")] = 1,
    output_format: Annotated[
        str, typer.Option("--format", help="csv | fhir-ndjson | both")
    ] = "both",
    travellers: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Share of patients drawn from the network's traveller pool (also treated in "
            "other countries: same name, birth date and sex in every export of the network).",
        ),
    ] = 0.0,
    network_seed: Annotated[
        int, typer.Option(help="The traveller pool's seed: the same for every export of a network.")
    ] = 0,
) -> None:
    """Write a realistic synthetic export (reference CSV and/or FHIR NDJSON of the same data)."""
    if output_format not in {"csv", "fhir-ndjson", "both"}:
        typer.echo("error: --format must be csv, fhir-ndjson or both", err=True)
        raise typer.Exit(2)
    summary = write_synthetic_export(
        country=country.upper(),
        patients=patients,
        seed=seed,
        out_dir=out,
        formats=output_format,  # type: ignore[arg-type]
        travellers=TravellerOptions(travellers, network_seed) if travellers > 0 else None,
    )
    typer.echo(f"synthetic {summary.country} export written to {out} (seed {summary.seed}):")
    counts = (
        ("patients", summary.patients),
        ("administrations", summary.administrations),
        ("dispenses", summary.dispenses),
        ("observations", summary.observations),
        ("adverse events", summary.adverse_events),
        ("discontinuations", summary.discontinuations),
        ("travellers", summary.travellers),
    )
    for part in (counts[:4], counts[4:]):  # two lines: fits 80 columns
        typer.echo("  " + ", ".join(f"{count:,} {name}" for name, count in part))
    for path, rows in summary.files:
        typer.echo(f"  {path}: {rows:,} rows")

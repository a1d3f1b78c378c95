"""Helpers for ingest tests: a tiny hand-written reference export, a node config, the CLI,
an old-schema store and the erasure round trip."""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import typer
from sqlalchemy import Engine, text
from typer.testing import CliRunner, Result

from app.cli.ingest import ingest as ingest_command
from app.cli.ingest import mapping_check, node_erase
from app.deid import pseudonymise_patient_id
from app.ingest import IngestReport, ingest_export
from app.schema_versions import SchemaHistory, upgrade
from app.store import create_store_engine, data_version, erase_patient
from app.store.migrations import NODE_SCHEMA

SECRET = b"test pseudonym secret: 32+ bytes, never a real one"

# Distinctive identifying values: if any of them shows up in a database file or a log, it leaked.
PATIENTS: list[dict[str, str]] = [
    {"patient_id": "PX-0001", "national_id": "NID-31415926", "family_name": "Quackenbush",
     "given_name": "Ottoline", "birth_date": "1979-04-17", "sex": "female",
     "postal_code": "ZQ7 3XW", "diagnosis": "F33.2", "failed_trials": "3",
     "substance_use_history": "no", "psychosis_history": "no"},
    {"patient_id": "PX-0002", "national_id": "NID-27182818", "family_name": "Vanderwaal",
     "given_name": "Brunhilde", "birth_date": "1990-11-02", "sex": "male",
     "postal_code": "KV9 8JJ", "diagnosis": "F32.1", "failed_trials": "",
     "substance_use_history": "", "psychosis_history": "unknown"},
    {"patient_id": "PX-0003", "national_id": "NID-16180339", "family_name": "Zebulonsky",
     "given_name": "", "birth_date": "1962-02-28", "sex": "other",
     "postal_code": "", "diagnosis": "F31.4", "failed_trials": "5",
     "substance_use_history": "yes", "psychosis_history": "no"},
]  # fmt: skip

ADMINISTRATIONS: list[dict[str, str]] = [
    {"administration_id": "AX-01", "patient_id": "PX-0001", "administered_at": "2024-03-01T10:00:00+01:00",
     "drug": "ketamine", "route": "iv", "dose_mg": "35.5", "weight_kg": "71.0", "setting": "clinic",
     "lot_number": "LOT-ZZ-4471"},
    {"administration_id": "AX-02", "patient_id": "PX-0001", "administered_at": "2024-03-04T10:30:00",
     "drug": "ketamine", "route": "iv", "dose_mg": "35.5", "weight_kg": "", "setting": "clinic",
     "lot_number": ""},
    {"administration_id": "AX-03", "patient_id": "PX-0002", "administered_at": "2024-03-02",
     "drug": "esketamine", "route": "intranasal", "dose_mg": "56", "weight_kg": "88.5",
     "setting": "clinic", "lot_number": "LOT-ZZ-9981"},
]  # fmt: skip

DISPENSES: list[dict[str, str]] = [
    {"dispense_id": "DX-01", "patient_id": "PX-0003", "dispensed_at": "2024-05-02T08:00:00Z",
     "drug": "ketamine", "route": "oral", "quantity_mg": "350", "days_supply": "14"},
]  # fmt: skip

OBSERVATIONS: list[dict[str, str]] = [
    {"observation_id": "OX-01", "patient_id": "PX-0001", "observed_at": "2024-02-28T09:00:00+01:00",
     "code": "MADRS", "value": "31", "unit": ""},
    {"observation_id": "OX-02", "patient_id": "PX-0001", "observed_at": "2024-03-29T09:00:00+01:00",
     "code": "MADRS", "value": "9", "unit": ""},
    {"observation_id": "OX-03", "patient_id": "PX-0002", "observed_at": "2024-03-02T11:00:00+01:00",
     "code": "SBP", "value": "142", "unit": "mm[Hg]"},
]  # fmt: skip

ADVERSE_EVENTS: list[dict[str, str]] = [
    {"event_id": "EX-01", "patient_id": "PX-0001", "onset_at": "2024-03-01T10:40:00+01:00",
     "event": "dissociation", "severity": "mild", "serious": "no", "outcome": "recovered",
     "administration_id": "AX-01"},
    {"event_id": "EX-02", "patient_id": "PX-0002", "onset_at": "2024-03-02T12:00:00+01:00",
     "event": "hypertension", "severity": "moderate", "serious": "yes", "outcome": "recovering",
     "administration_id": ""},
]  # fmt: skip

DISCONTINUATIONS: list[dict[str, str]] = [
    {"patient_id": "PX-0003", "stopped_at": "2024-06-01T00:00:00Z", "reason": "adverse-event"},
]

TINY_EXPORT: dict[str, list[dict[str, str]]] = {
    "patients.csv": PATIENTS,
    "administrations.csv": ADMINISTRATIONS,
    "dispenses.csv": DISPENSES,
    "observations.csv": OBSERVATIONS,
    "adverse_events.csv": ADVERSE_EVENTS,
    "discontinuations.csv": DISCONTINUATIONS,
}
_IDENTIFYING_COLUMNS = (
    "patient_id", "national_id", "family_name", "given_name", "birth_date", "postal_code",
)  # fmt: skip
IDENTIFYING_VALUES: tuple[str, ...] = (
    *(patient[key] for patient in PATIENTS for key in _IDENTIFYING_COLUMNS if patient[key]),
    *("LOT-ZZ-4471", "LOT-ZZ-9981", "AX-01", "AX-02", "AX-03", "OX-01", "EX-01", "DX-01"),
)


def write_csv(
    path: Path, rows: Sequence[Mapping[str, str]], *, columns: Sequence[str] | None = None
) -> None:
    """Write ``rows`` as a CSV file with a header (columns default to the first row's keys)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = list(columns or (rows[0].keys() if rows else ()))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=header, lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)


def write_tiny_export(folder: Path, **replace: list[dict[str, str]]) -> Path:
    """Write the tiny reference export into ``folder``; ``replace`` swaps whole files by stem."""
    for name, rows in TINY_EXPORT.items():
        stem = name.removesuffix(".csv")
        write_csv(folder / name, replace.get(stem, rows), columns=list(rows[0]))
    return folder


def write_node_config(folder: Path, *, timezone: str = "Europe/Oslo") -> Path:
    """Write a node.toml with its secret and key files (mode 0600); return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "node.secret").write_bytes(SECRET)
    (folder / "node.pem").write_text("not used by ingest\n")
    for name in ("node.secret", "node.pem"):
        os.chmod(folder / name, 0o600)
    config = folder / "node.toml"
    config.write_text(
        "[node]\n"
        'id = "xx"\ncountry = "NO"\npublic_url = "http://127.0.0.1:8101"\n'
        'database_url = "sqlite:///node.db"\nsigning_key = "node.pem"\n'
        f'pseudonym_secret = "node.secret"\ntimezone = "{timezone}"\n'
    )
    return config


def cli_app() -> typer.Typer:
    """Return a Typer app with the ingest commands registered as the lead's CLI does."""
    app = typer.Typer()
    app.command("ingest")(ingest_command)
    app.command("check")(mapping_check)
    app.command("erase")(node_erase)
    return app


def run_cli(*args: str | Path) -> Result:
    """Run one command of ``cli_app`` and return its result (stdout and stderr apart)."""
    return CliRunner().invoke(cli_app(), [str(arg) for arg in args])


def database_files(database: Path) -> dict[str, bytes]:
    """Return the bytes of a SQLite database and its WAL/SHM files (those that exist)."""
    return {
        suffix: Path(f"{database}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{database}{suffix}").exists()
    }


def write_version_1_store(database: Path) -> None:
    """Create a store with only the first schema migration applied (as an older ketanet left it)."""
    engine = create_store_engine(f"sqlite:///{database}")
    try:
        upgrade(engine, SchemaHistory(NODE_SCHEMA.version_table, NODE_SCHEMA.migrations[:1]))
    finally:
        engine.dispose()


RECORD_TABLES = ("administration", "dispense", "observation", "adverse_event", "discontinuation")


def ingest(engine: Engine, export: Path) -> IngestReport:
    """Ingest ``export`` atomically with the test secret."""
    return ingest_export(engine=engine, paths=[export], secret=SECRET, timezone="UTC")


def erase(engine: Engine, source_patient_id: str) -> int:
    """Erase a patient of the test export as ``ketanet node erase`` does; return rows deleted."""
    return erase_patient(
        engine=engine, pseudonym=pseudonymise_patient_id(SECRET, source_patient_id)
    )


def rows_of(engine: Engine, source_patient_id: str) -> int:
    """Return how many stored rows (patient and records) belong to the patient."""
    pseudonym = pseudonymise_patient_id(SECRET, source_patient_id)
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT count(*) FROM patient WHERE id = :p"), {"p": pseudonym}
        ).scalar_one()
        for table in RECORD_TABLES:
            found += connection.execute(
                text(f"SELECT count(*) FROM {table} WHERE patient_id = :p"), {"p": pseudonym}
            ).scalar_one()
    return int(found)


def assert_erasure_sticks(engine: Engine, export: Path) -> None:
    """Ingest, erase PX-0001, re-ingest the same export: the patient stays absent."""
    ingest(engine, export)
    assert rows_of(engine, "PX-0001") == 6
    before = data_version(engine)
    assert erase(engine, "PX-0001") == 6
    version = data_version(engine)
    assert version != before
    again = ingest(engine, export)
    assert rows_of(engine, "PX-0001") == 0
    assert rows_of(engine, "PX-0002") == 4
    assert again.committed and again.issue_count == 0
    erased = {row.file: row.erased for row in again.files}
    assert erased == {
        "patients.csv": 1,
        "administrations.csv": 2,
        "dispenses.csv": 0,
        "observations.csv": 2,
        "adverse_events.csv": 1,
        "discontinuations.csv": 0,
    }
    assert again.total("inserted") == again.total("rejected") == 0
    assert again.total("unchanged") == 7
    assert data_version(engine) != version

"""A node store for the red team: a synthetic national export, ingested as a node would."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from app.ingest import ingest_export
from app.store import create_store_engine, upgrade_schema
from app.synth import write_synthetic_export

SECRET = b"red-team-pseudonym-secret-0123456789"


@dataclass(frozen=True)
class Registry:
    """A node database (SQLite file) holding one synthetic country."""

    url: str
    folder: Path
    patients: int

    def engine(self) -> Engine:
        """Return a new engine on the store (dispose it when done)."""
        return create_store_engine(self.url)


def build_registry(folder: Path, *, patients: int = 1200, seed: int = 9) -> Registry:
    """Synthesise ``patients`` for country NO under ``folder`` and ingest them into a store."""
    folder.mkdir(parents=True, exist_ok=True)
    write_synthetic_export(
        country="NO", patients=patients, seed=seed, out_dir=folder / "export", formats="csv"
    )
    url = f"sqlite:///{folder / 'node.db'}"
    engine = create_store_engine(url)
    upgrade_schema(engine)
    ingest_export(engine=engine, paths=[folder / "export" / "csv"], secret=SECRET, timezone="UTC")
    engine.dispose()
    return Registry(url=url, folder=folder, patients=patients)

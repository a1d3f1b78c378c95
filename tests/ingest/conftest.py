"""Fixtures for ingest tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.store import create_store_engine, upgrade_schema
from app.synth import write_synthetic_export
from tests.ingest.support import write_node_config, write_tiny_export


@pytest.fixture(scope="session")
def synth_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic export (CSV and FHIR NDJSON of the same data), written once."""
    folder = tmp_path_factory.mktemp("synth")
    write_synthetic_export(country="NO", patients=40, seed=3, out_dir=folder, formats="both")
    return folder


@pytest.fixture
def tiny_export(tmp_path: Path) -> Path:
    """The tiny hand-written reference export."""
    return write_tiny_export(tmp_path / "export")


@pytest.fixture
def node_config(tmp_path: Path) -> Path:
    """A node.toml (SQLite database node.db beside it) with secret and key files."""
    return write_node_config(tmp_path / "node")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A fresh SQLite store with the current schema."""
    store = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade_schema(store)
    yield store
    store.dispose()

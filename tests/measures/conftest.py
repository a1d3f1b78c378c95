"""Fixtures for measure tests: a fresh SQLite store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.store import create_store_engine, upgrade_schema
from tests.measures.support import Registry


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    """Yield an engine on an empty, migrated SQLite store."""
    engine = create_store_engine(f"sqlite:///{tmp_path / 'node.db'}")
    upgrade_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def registry(store: Engine) -> Registry:
    """Return an inserter of hand-built records into ``store``."""
    return Registry(store)

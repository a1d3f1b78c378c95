"""Fixtures of the trust tests: clock, keys, databases (SQLite and PostgreSQL), a verifier.

A database is a node database migrated to the current version (the trust tables are in its
migration list); on PostgreSQL each test gets a schema of its own in the session's database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.database import create_store_engine
from app.store import upgrade_schema
from app.trust.keys import SigningKey
from app.trust.signatures import RequestVerifier

from .support import FakeClock, new_key, verifier_for


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def hub_key() -> SigningKey:
    return new_key()


@pytest.fixture(scope="session")
def node_key() -> SigningKey:
    return new_key()


def _engine(url: str) -> Iterator[Engine]:
    engine = create_store_engine(url)
    upgrade_schema(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    yield from _engine(f"sqlite:///{tmp_path / 'trust.db'}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def trust_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The trust tables on SQLite, then on PostgreSQL (skipped when unreachable, outside CI)."""
    if request.param == "sqlite":
        yield from _engine(f"sqlite:///{tmp_path / 'trust.db'}")
    else:
        yield from _engine(request.getfixturevalue("postgres_schema_url"))


@pytest.fixture
def verifier(hub_key: SigningKey, sqlite_engine: Engine, clock: FakeClock) -> RequestVerifier:
    return verifier_for(sqlite_engine, clock, hub_key)

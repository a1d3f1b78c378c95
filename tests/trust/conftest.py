"""Fixtures of the trust tests: clock, keys, databases (SQLite and PostgreSQL), a verifier."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.database import create_store_engine
from app.trust.keys import SigningKey
from app.trust.signatures import RequestVerifier
from app.trust.tables import create_trust_tables, trust_metadata

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
    trust_metadata.drop_all(engine)
    create_trust_tables(engine)
    try:
        yield engine
    finally:
        trust_metadata.drop_all(engine)
        engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    yield from _engine(f"sqlite:///{tmp_path / 'trust.db'}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def trust_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The trust tables on SQLite, then on PostgreSQL (skipped when unreachable, outside CI)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'trust.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    yield from _engine(url)


@pytest.fixture
def verifier(hub_key: SigningKey, sqlite_engine: Engine, clock: FakeClock) -> RequestVerifier:
    return verifier_for(sqlite_engine, clock, hub_key)

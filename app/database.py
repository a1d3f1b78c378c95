"""Engine factory for node and hub databases: SQLite (default) or PostgreSQL (psycopg 3).

Beside ``app.schema_versions`` rather than in ``app.store``: the hub opens and versions its own
database with these two and never imports the store (an import contract).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event

from app.errors import ConfigError


def create_store_engine(database_url: str, *, echo: bool = False) -> Engine:
    """Return an engine for ``database_url``; raises ``ConfigError`` for an unsupported URL."""
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if database_url.startswith("postgresql"):
        url = database_url
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return create_engine(url, echo=echo, pool_pre_ping=True)
    raise ConfigError("database_url: unsupported scheme (use sqlite:/// or postgresql+psycopg://)")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the node answer queries while an ingest writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()

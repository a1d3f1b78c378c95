"""Engine factory for node and hub databases: SQLite (default) or PostgreSQL (psycopg 3).

Beside ``app.schema_versions`` rather than in ``app.store``: the hub opens and versions its own
database with these two and never imports the store (an import contract).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc, make_url, text

from app.errors import ConfigError, Unavailable

DATABASE_FILE_MODE = 0o600
"""SQLite files (and their -wal/-shm files, which SQLite creates with the same mode) are private."""


SQLITE_LOCK_WAIT_S = 30
"""How long a SQLite write waits for another connection's lock by default."""


def create_store_engine(database_url: str, *, echo: bool = False) -> Engine:
    """Return an engine for ``database_url``; raises ``ConfigError`` for an unsupported URL."""
    if database_url.startswith("sqlite"):
        # SQLite waits up to ``timeout`` seconds for another writer's lock (``?timeout=`` in the
        # URL overrides the default 30 s); then the write fails with "database is locked".
        connect_args: dict[str, Any] = {"check_same_thread": False}
        if "timeout" not in make_url(database_url).query:
            connect_args["timeout"] = SQLITE_LOCK_WAIT_S
        engine = create_engine(database_url, echo=echo, connect_args=connect_args)
        # Just before SQLite opens the file (so an engine never used creates nothing).
        event.listen(engine, "do_connect", lambda *_args: _private_file(database_url))
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


@contextmanager
def sqlite_foreign_keys_off(connection: Connection) -> Iterator[bool]:
    """Turn an SQLite connection's foreign key enforcement off, then back as it was; yield True.

    For work that checks references itself, set-based, before it commits (``PRAGMA
    foreign_key_check``): schema upgrades that rebuild referenced tables, and bulk loads whose
    referenced keys are indexed only at the end. Must be entered before the connection's
    transaction begins (inside one SQLite ignores the pragma); the pragma goes on the driver's
    connection, so SQLAlchemy begins nothing early. Yields False, changing nothing, on other
    databases.
    """
    if connection.dialect.name != "sqlite":
        yield False
        return
    driver = connection.connection.driver_connection
    assert driver is not None  # an open connection has its driver's
    (enforced,) = driver.execute("PRAGMA foreign_keys").fetchone()
    driver.execute("PRAGMA foreign_keys = OFF")
    try:
        yield True
    finally:
        driver.execute(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")


def _private_file(database_url: str) -> None:
    """Create the SQLite file as 0600 (or narrow an existing one) before SQLite opens it."""
    name = make_url(database_url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    if not path.parent.is_dir():
        return  # SQLite reports the missing folder itself
    try:
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, DATABASE_FILE_MODE))
        if path.stat().st_mode & 0o777 != DATABASE_FILE_MODE:
            path.chmod(DATABASE_FILE_MODE)
    except PermissionError:
        return  # a read-only file is reported by ``check_database``


def check_database(engine: Engine, what: str = "database") -> None:
    """Check the database really answers (SQLite: ``PRAGMA quick_check``); raises ``Unavailable``.

    Run once at start: a corrupt or unreadable file then stops the service with one line
    instead of a trace, or a node that reports healthy and answers 500.
    """
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                rows = [row[0] for row in connection.execute(text("PRAGMA quick_check"))]
                if rows != ["ok"]:
                    raise Unavailable(f"{what}: integrity check failed ({rows[0]})"[:300])
            else:
                connection.execute(text("SELECT 1"))
    except exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or type(error).__name__).splitlines()[0]
        raise Unavailable(f"{what}: cannot be read ({reason})"[:300]) from None

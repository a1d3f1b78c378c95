"""Shared fixtures: a fresh PostgreSQL database per test session (``postgres_url``), and a schema
of its own in it per test (``postgres_schema_url``)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Yield a ``postgresql+psycopg://`` URL of a database created for this session, then drop it.

    Skips with a reason when the server is unreachable, except under ``CI=true``, where the
    PostgreSQL tests must run (docs/testing.md) and an unreachable server fails them.
    """
    name = f"ketanet_test_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        detail = " ".join(str(error).split())[:200]
        reason = f"PostgreSQL unreachable at {POSTGRES_SERVER}: {detail}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    # FORCE ends connections a test's engine pool may still hold (PostgreSQL 13+).
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    with admin, _created(admin, f'CREATE DATABASE "{name}"', drop):
        yield f"{POSTGRES_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{name}"


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """Yield a URL of the session's database whose ``search_path`` is a new schema, then drop it.

    Tests that create tables share the session's database; a schema each keeps them apart.
    Dispose of the test's engines before the fixture ends (the drop waits for their locks).
    """
    schema = f"test_{secrets.token_hex(6)}"
    admin = psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True)
    with admin, _created(admin, f'CREATE SCHEMA "{schema}"', f'DROP SCHEMA "{schema}" CASCADE'):
        yield f"{postgres_url}?options=-csearch_path%3D{schema}"


@contextmanager
def _created(admin: psycopg.Connection[Any], create: str, drop: str) -> Iterator[None]:
    """Run ``create``, then ``drop`` when the block ends, however it ends."""
    admin.execute(create)
    try:
        yield
    finally:
        admin.execute(drop)

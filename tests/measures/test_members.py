"""Cell keys from SQL: the database's per-cell sums equal the members' keys summed in Python.

For every measure, filter set and parameter set of the centralised tests, ``evaluate_with_members``
must give the counts ``evaluate_measure`` gives, and per cell the number of members, the sum of
their record keys and of their member hashes (per bucket) that the oracle computes from the ids
of the cell's members — on SQLite and on PostgreSQL. Rows loaded without keys get them from
``assign_record_keys``, as rows of an earlier release do at the node's start.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine

from app.catalogue import validate_query
from app.disclosure.differencing import sketch_of
from app.exchange.query import MeasureQuery
from app.ingest.record_keys import assign_missing_record_keys
from app.measures import evaluate_measure, evaluate_with_members
from app.node.releases import cell_material
from app.store import create_store_engine, upgrade_schema
from tests.disclosure.redteam.oracle import cell_members, member_hashes, memberships
from tests.measures.synthetic import generate_registry, load_registry
from tests.measures.test_centralised import _id, all_queries

SECRET = b"measure-members-test-secret-0123456789"
QUERIES = all_queries()


@pytest.fixture(scope="module")
def rows() -> dict[str, list[dict[str, Any]]]:
    return generate_registry(seed=20242)


def _keyed(engine: Engine, rows: dict[str, Any]) -> Engine:
    upgrade_schema(engine)
    load_registry(engine, rows)
    assert assign_missing_record_keys(engine, SECRET) > 0
    assert assign_missing_record_keys(engine, SECRET) == 0  # nothing left without keys
    return engine


@pytest.fixture(scope="module")
def sqlite_store(
    tmp_path_factory: pytest.TempPathFactory, rows: dict[str, Any]
) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("members") / "node.db"
    engine = _keyed(create_store_engine(f"sqlite:///{path}"), rows)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def postgres_store(postgres_url: str, rows: dict[str, Any]) -> Iterator[Engine]:
    server, _, name = postgres_url.rpartition("/")
    own = f"{name}_members"
    admin_url = server.replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{own}"')
    engine = _keyed(create_store_engine(f"{server}/{own}"), rows)
    yield engine
    engine.dispose()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')


def _check(engine: Engine, query: MeasureQuery) -> None:
    query = validate_query(query)
    with engine.connect() as connection:
        counted, sums = evaluate_with_members(connection, query, include_zero_strata=True)
        plain = evaluate_measure(connection, query, include_zero_strata=True)
        members, units = cell_members(connection, query)
    assert counted == plain
    expected = memberships(members, units, SECRET)
    found, sketches = cell_material(sums)
    assert found == expected
    for ref, ids in members.items():
        assert sketches[ref] == sketch_of(member_hashes(ids, ref[0], units[ref[0]], SECRET))


@pytest.mark.parametrize("query", QUERIES, ids=_id)
def test_sql_member_sums_equal_the_members_keys_on_sqlite(
    sqlite_store: Engine, query: MeasureQuery
) -> None:
    _check(sqlite_store, query)


@pytest.mark.postgres
@pytest.mark.parametrize("query", QUERIES[::4], ids=_id)
def test_sql_member_sums_equal_the_members_keys_on_postgresql(
    postgres_store: Engine, query: MeasureQuery
) -> None:
    _check(postgres_store, query)


def test_clipped_record_counts_sum_the_kept_records_only(sqlite_store: Engine) -> None:
    query = validate_query(
        next(q for q in QUERIES if q.measure == "administrations" and not q.filters)
    )
    with sqlite_store.connect() as connection:
        counted, sums = evaluate_with_members(connection, query, clip_records_per_patient=2)
        members, units = cell_members(connection, query, clip_records_per_patient=2)
    assert cell_material(sums)[0] == memberships(members, units, SECRET)
    assert counted[0].total.count == len(members[("administrations", None, None)])

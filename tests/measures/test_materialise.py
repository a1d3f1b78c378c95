"""The PostgreSQL index table: created only when a measure reads the index, dropped after it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, event, text

from app.exchange.query import MeasureQuery
from app.measures import evaluate_measure, validate_query
from app.measures.materialise import INDEX_TABLE
from app.store import create_store_engine, upgrade_schema
from tests.measures.synthetic import generate_registry, load_registry

PERIOD = (date(2023, 7, 1), date(2024, 6, 30))
pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def postgres_store(postgres_url: str) -> Iterator[Engine]:
    server, _, name = postgres_url.rpartition("/")
    own = f"{name}_materialise"
    admin_url = server.replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{own}"')
    engine = create_store_engine(f"{server}/{own}")
    upgrade_schema(engine)
    load_registry(engine, generate_registry(seed=7))
    yield engine
    engine.dispose()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')


def _query(measure: str, **parameters: Any) -> MeasureQuery:
    return validate_query(MeasureQuery(measure, None, *PERIOD, {}, ("route",), parameters))


def _index_table(connection: Any) -> object:
    return connection.execute(text(f"SELECT to_regclass('pg_temp.{INDEX_TABLE}')")).scalar()


def test_repeated_evaluations_in_one_transaction_agree_and_leave_no_table(
    postgres_store: Engine,
) -> None:
    query = _query("adverse-events")
    with postgres_store.connect() as connection:
        first = evaluate_measure(connection, query)
        other = evaluate_measure(connection, _query("treated-patients"))
        second = evaluate_measure(connection, query)
        assert _index_table(connection) is None
    assert first == second
    assert other[0] == first[0]  # both count the treated patients first
    assert first[0].total.count  # the registry has treated patients in the period


def test_a_table_left_over_on_the_connection_is_replaced(postgres_store: Engine) -> None:
    # As a failed evaluation on an autocommit connection would leave it: empty, other columns.
    query = _query("treated-patients")
    with postgres_store.connect() as connection:
        expected = evaluate_measure(connection, query)
    with postgres_store.connect() as connection:
        connection.execute(text(f"CREATE TEMPORARY TABLE {INDEX_TABLE} (left_over int)"))
        assert evaluate_measure(connection, query) == expected
        assert _index_table(connection) is None


def test_administrations_alone_never_build_the_index(postgres_store: Engine) -> None:
    statements: list[str] = []
    with postgres_store.connect() as connection:

        def capture(*args: Any) -> None:
            statements.append(args[2])

        event.listen(connection, "before_cursor_execute", capture)
        evaluate_measure(connection, _query("administrations"))
        event.remove(connection, "before_cursor_execute", capture)
    assert not [s for s in statements if INDEX_TABLE in s]
    assert statements  # the count itself was captured

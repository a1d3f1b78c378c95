"""Databases made by release 0.1.0 upgrade in place: every row kept, the audit chain intact.

The node's database also still serves its cached answer byte for byte, at no new ε; the
migration lists apply to new databases too, and a second upgrade changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text

from app.config import DisclosureSection
from app.database import create_store_engine
from app.exchange.query import MeasureQuery
from app.hub.migrations import HUB_SCHEMA, upgrade_hub_schema
from app.node.answers import answer_query
from app.schema_versions import SchemaHistory, applied_version
from app.store import SCHEMA_VERSION, data_version, upgrade_schema
from app.store.answer_cache import answer_cache_table
from app.store.migrations import NODE_SCHEMA
from app.store.privacy_ledger import spent_epsilon
from app.trust.audit import AuditLog
from tests.store.release_0_1_0 import NODE_0_1_0, load_sqlite, rebuild_on_postgres, table_rows

# What the release's generator asked and how its node was configured (generate.py).
CACHED_QUERY = MeasureQuery(
    "treated-patients", None, date(2024, 1, 1), date(2025, 6, 30), {}, ("route",), {}
)
NODE_POLICY = DisclosureSection(min_cell=5, epsilon=1.0, epsilon_budget=5.0)
HUB_REQUESTER = "peer:hub"


def _old_database(request: pytest.FixtureRequest, tmp_path: Path, dump: str) -> Iterator[Engine]:
    sqlite_url = load_sqlite(dump, tmp_path / dump.replace(".sql", ".db"))
    if request.param == "sqlite":
        url = sqlite_url
    else:
        url = request.getfixturevalue("postgres_schema_url")
        rebuild_on_postgres(sqlite_url, url, node=dump == "node.sql")
    engine = create_store_engine(url)
    yield engine
    engine.dispose()


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def old_node(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A node database as release 0.1.0 left it, on SQLite, then on PostgreSQL."""
    yield from _old_database(request, tmp_path, "node.sql")


@pytest.fixture(params=DATABASES)
def old_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A hub database as release 0.1.0 left it, on SQLite, then on PostgreSQL."""
    yield from _old_database(request, tmp_path, "hub.sql")


def _version(engine: Engine, history: SchemaHistory) -> int:
    with engine.connect() as connection:
        return applied_version(connection, history)


def _assert_rows_kept(before: dict[str, list[tuple[object, ...]]], engine: Engine) -> None:
    after = table_rows(engine)
    for name, rows in before.items():
        if name in (NODE_SCHEMA.version_table, HUB_SCHEMA.version_table):
            assert after[name][: len(rows)] == rows, name
        else:
            # Columns a migration added come last: every old value is still there as it was.
            assert [row[: len(old)] for row, old in zip(after[name], rows, strict=True)] == rows, (
                name
            )


def _assert_audit_chain_intact(engine: Engine, entries: int) -> None:
    log = AuditLog(engine)
    stored = log.stored_checkpoints()
    assert stored  # the release signed a checkpoint: it must still match the chain
    result = log.verify()
    assert result.ok, result.reason
    assert result.entries == entries


def test_release_0_1_0_node_database_upgrades_keeping_every_row(old_node: Engine) -> None:
    assert _version(old_node, NODE_SCHEMA) == NODE_0_1_0.version == 2
    before = table_rows(old_node)
    assert {"audit_log", "disclosure_answer_cache", "disclosure_epsilon_ledger"} <= set(before)
    assert all(before[name] for name in ("patient", "audit_log", "disclosure_answer_cache"))
    assert upgrade_schema(old_node) == SCHEMA_VERSION == _version(old_node, NODE_SCHEMA)
    _assert_rows_kept(before, old_node)
    _assert_audit_chain_intact(old_node, entries=len(before["audit_log"]))
    # The chain goes on from the old head.
    AuditLog(old_node).append(actor="operator", action="upgrade", target="db", decision="ok")
    _assert_audit_chain_intact(old_node, entries=len(before["audit_log"]) + 1)


def test_release_0_1_0_cached_answer_is_served_as_stored_after_upgrade(old_node: Engine) -> None:
    upgrade_schema(old_node)
    with old_node.connect() as connection:
        spent = spent_epsilon(connection, HUB_REQUESTER)
        stored = connection.execute(select(answer_cache_table.c.report_json)).scalars().all()
    served = answer_query(
        old_node,
        CACHED_QUERY,
        requester_kid=HUB_REQUESTER,
        settings=NODE_POLICY,
        data_version=data_version(old_node),
    )
    assert served.decode() in stored
    with old_node.connect() as connection:
        assert spent_epsilon(connection, HUB_REQUESTER) == spent > 0


def test_release_0_1_0_hub_database_upgrades_keeping_every_row(old_hub: Engine) -> None:
    assert _version(old_hub, HUB_SCHEMA) == 0  # the release did not version the hub
    before = table_rows(old_hub)
    assert before["hub_query"] and before["hub_node_result"] and before["audit_log"]
    assert upgrade_hub_schema(old_hub) == HUB_SCHEMA.version == _version(old_hub, HUB_SCHEMA)
    _assert_rows_kept(before, old_hub)
    _assert_audit_chain_intact(old_hub, entries=len(before["audit_log"]))


def _schema(engine: Engine) -> dict[str, object]:
    found = inspect(engine)
    return {
        name: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(name)],
            found.get_pk_constraint(name)["constrained_columns"],
            sorted((i["name"], tuple(i["column_names"])) for i in found.get_indexes(name)),
            sorted(str(f["referred_table"]) for f in found.get_foreign_keys(name)),
        )
        for name in sorted(found.get_table_names())
    }


@pytest.mark.parametrize(
    ("dump", "migrate"), [("node.sql", upgrade_schema), ("hub.sql", upgrade_hub_schema)]
)
def test_upgraded_release_0_1_0_database_has_the_schema_of_a_new_one(
    tmp_path: Path, dump: str, migrate: Callable[[Engine], int]
) -> None:
    upgraded = create_store_engine(load_sqlite(dump, tmp_path / "old.db"))
    fresh = create_store_engine(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        migrate(upgraded)
        migrate(fresh)
        assert _schema(upgraded) == _schema(fresh)
    finally:
        upgraded.dispose()
        fresh.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("history", "migrate"), [(NODE_SCHEMA, upgrade_schema), (HUB_SCHEMA, upgrade_hub_schema)]
)
def test_migration_lists_apply_to_new_postgresql_database_and_again_idempotently(
    postgres_schema_url: str, history: SchemaHistory, migrate: Callable[[Engine], int]
) -> None:
    engine = create_store_engine(postgres_schema_url)
    try:
        assert migrate(engine) == history.version
        tables = sorted(inspect(engine).get_table_names())
        assert migrate(engine) == history.version
        assert sorted(inspect(engine).get_table_names()) == tables
        with engine.connect() as connection:
            versions = connection.execute(select(history.table().c.version)).scalars().all()
        assert sorted(versions) == list(range(1, history.version + 1))
    finally:
        engine.dispose()


def test_release_0_1_0_administration_index_gains_the_id_column(old_node: Engine) -> None:
    def columns() -> list[str | None]:
        indexes = inspect(old_node).get_indexes("administration")
        found = [i for i in indexes if i["name"] == "ix_administration_patient_at"]
        assert len(found) == 1
        return list(found[0]["column_names"])

    if old_node.dialect.name == "postgresql":
        # The PostgreSQL copy is rebuilt from today's tables: give it the release's index back.
        with old_node.begin() as connection:
            connection.execute(text("DROP INDEX ix_administration_patient_at"))
            connection.execute(
                text(
                    "CREATE INDEX ix_administration_patient_at ON administration (patient_id, at_s)"
                )
            )
    assert columns() == ["patient_id", "at_s"]
    before = table_rows(old_node)["administration"]
    upgrade_schema(old_node)
    assert columns() == ["patient_id", "at_s", "id"]
    assert len(table_rows(old_node)["administration"]) == len(before)

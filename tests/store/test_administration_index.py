"""Migration 15: on PostgreSQL ix_administration_patient_at carries the columns the measures read.

New stores get the covering index from the model; a store at version 14 (the three-column index)
has it rebuilt, its rows kept; SQLite keeps the three-column index (it has no INCLUDE).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, inspect, select, text

from app.store import SCHEMA_VERSION, create_store_engine, upgrade_schema
from app.store.migrations import NODE_SCHEMA
from app.store.models import ADMINISTRATION_INDEX, ADMINISTRATION_INDEX_INCLUDES
from tests.measures.support import Registry


def _index(engine: Engine) -> dict[str, object]:
    found = inspect(engine).get_indexes("administration")
    (index,) = (i for i in found if i["name"] == ADMINISTRATION_INDEX)
    return {
        "columns": list(index["column_names"]),
        "include": tuple(index.get("dialect_options", {}).get("postgresql_include", ())),
    }


@pytest.mark.postgres
def test_new_postgresql_store_has_the_covering_administration_index(
    postgres_schema_url: str,
) -> None:
    engine = create_store_engine(postgres_schema_url)
    try:
        upgrade_schema(engine)
        assert _index(engine) == {
            "columns": ["patient_id", "at_s", "id"],
            "include": ADMINISTRATION_INDEX_INCLUDES,
        }
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgresql_store_at_version_14_gains_the_covering_index_rows_kept(
    postgres_schema_url: str,
) -> None:
    engine = create_store_engine(postgres_schema_url)
    try:
        upgrade_schema(engine)
        registry = Registry(engine)
        registry.patient("p1")
        registry.administration("a1", "p1", "2024-03-05T10:00:00")
        registry.administration("a2", "p1", "2024-03-06T10:00:00")
        # Back to version 14: the index as migration 12 made it before this release.
        with engine.begin() as connection:
            connection.execute(text(f"DROP INDEX {ADMINISTRATION_INDEX}"))
            connection.execute(
                text(
                    f"CREATE INDEX {ADMINISTRATION_INDEX} ON administration (patient_id, at_s, id)"
                )
            )
            versions = NODE_SCHEMA.table()
            connection.execute(delete(versions).where(versions.c.version >= 15))
        assert _index(engine)["include"] == ()
        assert upgrade_schema(engine) == SCHEMA_VERSION
        assert _index(engine)["include"] == ADMINISTRATION_INDEX_INCLUDES
        with engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM administration")).scalar()
            assert count == 2
            assert 15 in connection.execute(select(versions.c.version)).scalars().all()
    finally:
        engine.dispose()


def test_sqlite_store_keeps_the_three_column_administration_index(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'node.db'}")
    try:
        assert upgrade_schema(engine) == SCHEMA_VERSION
        assert _index(engine) == {"columns": ["patient_id", "at_s", "id"], "include": ()}
    finally:
        engine.dispose()

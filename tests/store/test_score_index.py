"""Migration 18: on PostgreSQL a partial index of the rating-scale scores serves efficacy.

New stores get it from the model; a store at version 17 gains it; SQLite has none (its
ix_observation_patient_code_at_value carries id and value already). Efficacy names its
instrument in the statement, so the planner can use the partial index.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, inspect, select, text

from app.measures.efficacy import REMISSION_THRESHOLDS
from app.store import SCHEMA_VERSION, create_store_engine, upgrade_schema
from app.store.migrations import NODE_SCHEMA
from app.store.models import SCORE_CODES, SCORE_INDEX


def _score_index(engine: Engine) -> dict[str, object] | None:
    found = [i for i in inspect(engine).get_indexes("observation") if i["name"] == SCORE_INDEX]
    if not found:
        return None
    (index,) = found
    return {
        "columns": list(index["column_names"]),
        "include": tuple(index.get("dialect_options", {}).get("postgresql_include", ())),
    }


def test_every_efficacy_instrument_is_a_score_code() -> None:
    assert set(REMISSION_THRESHOLDS) == set(SCORE_CODES)


@pytest.mark.postgres
def test_postgresql_store_at_version_17_gains_the_score_index(postgres_schema_url: str) -> None:
    engine = create_store_engine(postgres_schema_url)
    try:
        upgrade_schema(engine)
        expected = {"columns": ["patient_id", "code", "at_s", "id"], "include": ("value",)}
        assert _score_index(engine) == expected
        with engine.begin() as connection:
            predicate = connection.execute(
                text(
                    "SELECT pg_get_expr(indpred, indrelid) FROM pg_index WHERE indexrelid = CAST(:n AS regclass)"
                ),
                {"n": SCORE_INDEX},
            ).scalar_one()
            assert all(f"'{code}'" in predicate for code in SCORE_CODES)
            assert "'SBP'" not in predicate
            # Back to version 17: no score index.
            connection.execute(text(f"DROP INDEX {SCORE_INDEX}"))
            versions = NODE_SCHEMA.table()
            connection.execute(delete(versions).where(versions.c.version >= 18))
        assert _score_index(engine) is None
        assert upgrade_schema(engine) == SCHEMA_VERSION
        assert _score_index(engine) == expected
        with engine.connect() as connection:
            assert 18 in connection.execute(select(versions.c.version)).scalars().all()
    finally:
        engine.dispose()


def test_sqlite_store_has_no_score_index(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'node.db'}")
    try:
        assert upgrade_schema(engine) == SCHEMA_VERSION >= 18
        assert _score_index(engine) is None
    finally:
        engine.dispose()

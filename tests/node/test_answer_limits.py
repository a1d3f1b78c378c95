"""The database enforces the node's query time limit; the answer is the same when within it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.config import DisclosureSection
from app.database import create_store_engine
from app.errors import Unavailable
from app.exchange.answer import MeasureAnswer
from app.exchange.query import MeasureQuery
from app.ingest import ingest_export
from app.node.answers import answer_query
from app.store import upgrade_schema
from app.synth import write_synthetic_export
from tests.disclosure.support import decoded

QUERY = MeasureQuery(
    measure="adverse-events",
    version=None,
    period_start=date(2023, 1, 1),
    period_end=date(2025, 12, 31),
    filters={},
    stratify=("event", "drug"),
    parameters={},
    min_cell=None,
)


def _loaded(url: str, export: Path) -> Engine:
    engine = create_store_engine(url)
    upgrade_schema(engine)
    ingest_export(engine=engine, paths=[export], secret=b"s" * 32, timezone="UTC")
    return engine


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("limits")
    write_synthetic_export(country="NO", patients=300, seed=3, out_dir=folder, formats="csv")
    return folder / "csv"


def _answer(engine: Engine, requester: str, timeout_s: float | None) -> MeasureAnswer:
    return decoded(
        answer_query(
            engine,
            QUERY,
            requester_kid=requester,
            settings=DisclosureSection(min_cell=1),
            data_version="1",
            timeout_s=timeout_s,
        )
    )


def test_sqlite_interrupts_an_evaluation_past_its_time_limit(tmp_path: Path, export: Path) -> None:
    engine = _loaded(f"sqlite:///{tmp_path / 'n.db'}", export)
    with pytest.raises(Unavailable, match="query_timeout_s"):
        _answer(engine, "a", timeout_s=0.0)
    within = _answer(engine, "b", timeout_s=60.0)
    unlimited = _answer(engine, "c", timeout_s=None)
    assert within.populations == unlimited.populations
    assert within.population("events").total.count


def test_postgres_limits_apply_and_answers_match(
    postgres_schema_url: str, tmp_path: Path, export: Path
) -> None:
    engine = _loaded(postgres_schema_url, export)
    sqlite = _loaded(f"sqlite:///{tmp_path / 'n.db'}", export)
    try:
        assert (
            _answer(engine, "a", timeout_s=60.0).populations
            == _answer(sqlite, "a", timeout_s=None).populations
        )
    finally:
        engine.dispose()
        sqlite.dispose()

"""The overlap measure's set: the tokens of the treated patients, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.catalogue import validate_query
from app.errors import InputError
from app.exchange.query import MeasureQuery
from app.ingest import ingest_export
from app.measures import evaluate_measure, treated_patient_tokens
from app.store import create_store_engine, upgrade_schema
from app.synth import write_synthetic_export

LINKAGE = b"a linkage secret of 32+ bytes...."


def overlap(**filters: tuple[str, ...]) -> MeasureQuery:
    return validate_query(
        MeasureQuery(
            measure="cross-border-overlap",
            version=None,
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 31),
            filters=filters,
        )
    )


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("overlap-export")
    write_synthetic_export(country="PT", patients=150, seed=4, out_dir=folder, formats="csv")
    return folder / "csv"


def load(engine: Engine, export: Path) -> Engine:
    upgrade_schema(engine)
    ingest_export(
        engine=engine, paths=[export], secret=b"s" * 32, timezone="UTC", linkage_secret=LINKAGE
    )
    return engine


def test_tokens_are_those_of_the_treated_patients(tmp_path: Path, export: Path) -> None:
    engine = load(create_store_engine(f"sqlite:///{tmp_path / 'n.db'}"), export)
    try:
        with engine.connect() as connection:
            for query in (overlap(), overlap(sex=("female",)), overlap(route=("oral",))):
                tokens = treated_patient_tokens(connection, query)
                [treated] = evaluate_measure(connection, query)
                assert len(tokens) == len(set(tokens))
                assert 0 < len(tokens) <= (treated.total.count or 0)
    finally:
        engine.dispose()


def test_another_measure_has_no_token_set(tmp_path: Path) -> None:
    query = validate_query(
        MeasureQuery(
            measure="treated-patients",
            version=None,
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 31),
        )
    )
    engine = create_store_engine(f"sqlite:///{tmp_path / 'e.db'}")
    upgrade_schema(engine)
    try:
        with engine.connect() as connection, pytest.raises(InputError, match="private set"):
            treated_patient_tokens(connection, query)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_gives_the_same_tokens(
    tmp_path: Path, export: Path, postgres_schema_url: str
) -> None:
    sqlite = load(create_store_engine(f"sqlite:///{tmp_path / 's.db'}"), export)
    postgres = load(create_store_engine(postgres_schema_url), export)
    try:
        for query in (overlap(), overlap(drug=("ketamine",), sex=("male",))):
            found = []
            for engine in (sqlite, postgres):
                with engine.connect() as connection:
                    found.append(sorted(treated_patient_tokens(connection, query)))
            assert found[0] == found[1] != []
    finally:
        sqlite.dispose()
        postgres.dispose()

"""The node's exact answers equal an independent pandas computation, on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine

from app.exchange.query import MeasureQuery
from app.ingest import ingest_export
from app.measures import load_catalogue
from app.store import create_store_engine, upgrade_schema
from app.synth import write_synthetic_export
from tests.measures.reference import Reference
from tests.measures.support import evaluate
from tests.measures.synthetic import generate_registry, load_registry

PERIOD = (date(2023, 7, 1), date(2024, 6, 30))
FILTER_SETS: list[dict[str, tuple[str, ...]]] = [
    {},
    {"drug": ("ketamine",)},
    {"route": ("iv", "intranasal"), "sex": ("female",)},
    {"setting": ("clinic", "home-supervised")},
    {"age-band": ("25-34", "35-44", "65+")},
]
PARAMETERS: dict[str, list[dict[str, str | float]]] = {
    "efficacy": [
        {"instrument": "MADRS", "timepoint": "day7"},
        {"instrument": "MADRS", "timepoint": "month12"},
        {"instrument": "PHQ9", "timepoint": "day28"},
        {"instrument": "HAMD17", "timepoint": "24h"},
        {"instrument": "QIDSSR16", "timepoint": "month3"},
        {"instrument": "MADRS", "timepoint": "month6"},
    ],
    "guideline-adherence": [{}, {"max-take-home-mg": 300.0}, {"max-take-home-mg": 299.99}],
    "safety-signals": [{}, {"alt-uln": 40.25, "ast-uln": 30, "bpic-threshold": 25}],
    "review-intervals": [{}, {"max-review-days": 10}],
    "patient-experience": [
        {"item": "expectations-met"},
        {"item": "side-effect-burden"},
        {"item": "would-continue"},
        {"item": "most-troubling-effect"},
        {"item": "reason-considered-stopping"},
    ],
}


PATIENT_STRATIFIERS = ("sex", "age-band")


def all_queries() -> list[MeasureQuery]:
    queries = []
    for measure, definition in load_catalogue().items():
        for parameters in PARAMETERS.get(measure, [{}]):
            for filters in FILTER_SETS:
                queries.append(
                    MeasureQuery(
                        measure, None, *PERIOD, filters, definition.stratifiers, parameters
                    )
                )
            # Without a sex or age-band filter or stratifier a measure may count records
            # without joining the index (safety-signals' checked doses): those forms too.
            own = tuple(s for s in definition.stratifiers if s not in PATIENT_STRATIFIERS)
            if own != definition.stratifiers:
                for filters in FILTER_SETS[:2]:
                    queries.append(MeasureQuery(measure, None, *PERIOD, filters, own, parameters))
    return queries


QUERIES = all_queries()


def _id(query: MeasureQuery) -> str:
    patients = "" if any(s in query.stratify for s in PATIENT_STRATIFIERS) else "-own"
    return (
        f"{query.measure}-{'-'.join(map(str, query.parameters.values()))}-{len(query.filters)}f"
        f"{patients}"
    )


@pytest.fixture(scope="module")
def rows() -> dict[str, list[dict[str, Any]]]:
    return generate_registry(seed=20241)


@pytest.fixture(scope="module")
def sqlite_store(
    tmp_path_factory: pytest.TempPathFactory, rows: dict[str, Any]
) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("centralised") / "node.db"
    engine = create_store_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    load_registry(engine, rows)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def postgres_store(postgres_url: str, rows: dict[str, Any]) -> Iterator[Engine]:
    # A database of its own: the session database is shared with other packages' tests.
    server, _, name = postgres_url.rpartition("/")
    own = f"{name}_measures"
    admin_url = server.replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{own}"')
    engine = create_store_engine(f"{server}/{own}")
    upgrade_schema(engine)
    load_registry(engine, rows)
    yield engine
    engine.dispose()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """Yield a store holding ``ketanet synth`` data ingested through the reference CSV mapping."""
    folder = tmp_path_factory.mktemp("synth")
    write_synthetic_export(country="NO", patients=400, seed=5, out_dir=folder, formats="csv")
    engine = create_store_engine(f"sqlite:///{folder / 'node.db'}")
    upgrade_schema(engine)
    ingest_export(engine=engine, paths=[folder / "csv"], secret=b"x" * 32, timezone="UTC")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def reference(rows: dict[str, Any]) -> Reference:
    return Reference(rows)


@pytest.mark.parametrize("measure_query", QUERIES, ids=_id)
def test_exact_answers_equal_centralised_pandas_computation_on_sqlite(
    sqlite_store: Engine, reference: Reference, measure_query: MeasureQuery
) -> None:
    assert evaluate(sqlite_store, measure_query) == reference.answer(measure_query)


@pytest.mark.parametrize(
    "measure_query", [q for q in QUERIES if q.filters in FILTER_SETS[:3]], ids=_id
)
def test_exact_answers_equal_centralised_pandas_computation_on_synth_data(
    synth_store: Engine, measure_query: MeasureQuery
) -> None:
    synth = (date(2024, 1, 1), date(2025, 12, 31))
    measure_query = replace(measure_query, period_start=synth[0], period_end=synth[1])
    assert evaluate(synth_store, measure_query) == synth_reference(synth_store).answer(
        measure_query
    )


@functools.cache
def synth_reference(engine: Engine) -> Reference:
    return Reference.from_engine(engine)


@pytest.mark.postgres
def test_exact_answers_are_identical_on_postgresql_and_sqlite(
    sqlite_store: Engine, postgres_store: Engine
) -> None:
    for measure_query in QUERIES:
        on_sqlite = evaluate(sqlite_store, measure_query)
        on_postgres = evaluate(postgres_store, measure_query)
        assert on_postgres == on_sqlite, measure_query
        # Same strata order too, so the MeasureReports are identical documents.
        assert [list(t[1]) for t in on_postgres.values()] == [
            list(t[1]) for t in on_sqlite.values()
        ]


def test_synthetic_registry_exercises_every_population(sqlite_store: Engine) -> None:
    # Guard against a generator too sparse to test anything: every population is non-empty.
    for measure_query in QUERIES:
        if measure_query.filters:
            continue
        for population, (total, _) in evaluate(sqlite_store, measure_query).items():
            assert total, (measure_query.measure, measure_query.parameters, population)

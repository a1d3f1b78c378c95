"""Helpers for measure tests: a fresh store and terse inserts of hand-built records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from app.exchange.answer import PopulationResult
from app.exchange.query import MeasureQuery
from app.measures import evaluate_measure, validate_query
from app.store import create_store_engine, upgrade_schema
from app.store.models import RecordBase

EPOCH = date(1970, 1, 1)
MARCH = ("2024-03-01", "2024-03-31")
BP = ("administrations-bp-checked", "administrations-bp-rise", "administrations-severe-bp")
"""safety-signals' blood pressure populations."""
STORES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
"""Parameters of a fixture run on both stores (``migrated_store``)."""
TABLES = RecordBase.metadata.tables
Counts = dict[str, tuple[int | None, dict[str, dict[str, int | None]]]]


def instant(text: str) -> tuple[int, int]:
    """Return (at_s, day) of a UTC ISO timestamp such as ``2024-01-01T23:30:00``."""
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    at_s = int(moment.timestamp())
    return at_s, (moment.date() - EPOCH).days


class Registry:
    """Inserts records straight into the store tables with SQLAlchemy Core."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _insert(self, table: str, **values: Any) -> None:
        with self.engine.begin() as connection:
            connection.execute(insert(TABLES[table]).values(row_hash="h", **values))

    def patient(self, pid: str, *, birth_year: int = 1980, sex: str = "female") -> None:
        self._insert("patient", id=pid, birth_year=birth_year, sex=sex, diagnosis="F33.1")

    def administration(
        self,
        aid: str,
        patient: str,
        when: str,
        *,
        drug: str = "ketamine",
        route: str = "iv",
        dose_mg: float = 50.0,
        setting: str = "clinic",
    ) -> None:
        at_s, day = instant(when)
        self._insert(
            "administration",
            id=aid,
            patient_id=patient,
            at_s=at_s,
            day=day,
            drug=drug,
            route=route,
            dose_mg=dose_mg,
            setting=setting,
        )

    def event(
        self,
        eid: str,
        patient: str,
        when: str,
        *,
        event: str = "nausea",
        severity: str = "mild",
        serious: bool = False,
        administration_id: str | None = None,
    ) -> None:
        at_s, day = instant(when)
        self._insert(
            "adverse_event",
            id=eid,
            patient_id=patient,
            at_s=at_s,
            day=day,
            event=event,
            severity=severity,
            serious=serious,
            outcome="recovered",
            administration_id=administration_id,
        )

    def score(
        self, oid: str, patient: str, when: str, value: float, *, code: str = "MADRS"
    ) -> None:
        at_s, day = instant(when)
        self._insert(
            "observation", id=oid, patient_id=patient, at_s=at_s, day=day, code=code, value=value
        )

    def dispense(self, did: str, patient: str, when: str, quantity_mg: float) -> None:
        at_s, day = instant(when)
        self._insert(
            "dispense",
            id=did,
            patient_id=patient,
            at_s=at_s,
            day=day,
            drug="esketamine",
            route="intranasal",
            quantity_mg=quantity_mg,
            days_supply=7,
        )

    def discontinuation(self, sid: str, patient: str, when: str, reason: str) -> None:
        at_s, day = instant(when)
        self._insert(
            "discontinuation", id=sid, patient_id=patient, at_s=at_s, day=day, reason=reason
        )


def query(
    measure: str,
    start: str = "2024-01-01",
    end: str = "2024-12-31",
    *,
    stratify: tuple[str, ...] = (),
    filters: dict[str, tuple[str, ...]] | None = None,
    parameters: dict[str, str | float] | None = None,
) -> MeasureQuery:
    """Return a query over ``start..end`` (inclusive ISO dates)."""
    return MeasureQuery(
        measure=measure,
        version=None,
        period_start=date.fromisoformat(start),
        period_end=date.fromisoformat(end),
        filters=filters or {},
        stratify=stratify,
        parameters=parameters or {},
    )


def as_counts(results: list[PopulationResult]) -> Counts:
    """Return results as ``{population: (total, {stratifier: {value: count}})}``."""
    return {
        r.population: (
            r.total.count,
            {key: {v: c.count for v, c in table.items()} for key, table in r.strata.items()},
        )
        for r in results
    }


def evaluate(engine: Engine, measure_query: MeasureQuery, **options: Any) -> Counts:
    """Return the exact counts of ``measure_query`` (brought to normal form first) on ``engine``."""
    with engine.connect() as connection:
        return as_counts(evaluate_measure(connection, validate_query(measure_query), **options))


def totals(counts: Counts) -> dict[str, int | None]:
    """Return only the group totals of ``counts``."""
    return {population: total for population, (total, _) in counts.items()}


def migrated_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """Yield an empty, migrated store on ``request.param``'s database (a schema of its own on
    PostgreSQL); for fixtures parametrised with ``STORES``."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'node.db'}"
    else:
        url = request.getfixturevalue("postgres_schema_url")
    engine = create_store_engine(url)
    upgrade_schema(engine)
    yield engine
    engine.dispose()

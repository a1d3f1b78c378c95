"""Count populations and their one-way strata in a single SQL statement.

Every population is a source (subquery or CTE) whose stratum columns are named after the
stratifiers (``age-band`` → ``age_band``). All counts of a measure are one ``UNION ALL`` of
``GROUP BY`` branches, so the database does the counting in one round trip. Additive sources (one
row per counted unit) are first grouped by every requested stratum column at once and the one-way
tables re-summed from that small table, so a large source is scanned once whatever the number of
stratifiers; sources where a patient may have several rows count ``DISTINCT patient_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    String,
    cast,
    distinct,
    func,
    literal,
    null,
    select,
    union_all,
)

from app.exchange.answer import Cell, PopulationResult


@dataclass(frozen=True)
class PopulationSource:
    """SQL of one population: ``source`` rows, an optional condition, how to count them.

    ``additive``: each row is one counted unit (a record, or a patient in a one-row-per-patient
    source), so ``COUNT(*)`` is the count; otherwise ``COUNT(DISTINCT patient_id)``.
    """

    population: str
    source: Any
    stratifiers: tuple[str, ...]
    additive: bool
    where: Any = None
    keys: tuple[str, str] = ("record_key", "member_hash")
    """Source columns holding the counted unit's record key and member hash (``members``)."""


def column_name(stratifier: str) -> str:
    """Return the source column that holds a stratifier's values."""
    return stratifier.replace("-", "_")


def count_populations(
    connection: Connection, sources: Sequence[PopulationSource]
) -> list[PopulationResult]:
    """Return each population's total and strata (zero strata omitted), counted by the database."""
    branches = [branch for source in sources for branch in _branches(source)]
    if not branches:
        return []
    totals: dict[str, int] = {}
    strata: dict[str, dict[str, dict[str, Cell]]] = {
        s.population: {key: {} for key in s.stratifiers} for s in sources
    }
    for population, stratifier, value, count in connection.execute(union_all(*branches)):
        if stratifier is None:
            totals[population] = int(count or 0)
        elif count:
            strata[population][stratifier][str(value)] = Cell(int(count))
    return [
        PopulationResult(s.population, Cell(totals.get(s.population, 0)), strata[s.population])
        for s in sources
    ]


def _branches(spec: PopulationSource) -> list[Any]:
    label = literal(spec.population, String).label("population")
    no_key = cast(null(), String)
    if spec.additive and spec.stratifiers:
        columns = [spec.source.c[column_name(key)] for key in spec.stratifiers]
        grouped = (
            select(*columns, func.count().label("n"))
            .select_from(spec.source)
            .where(*_where(spec))
            .group_by(*columns)
            .cte(f"cube_{column_name(spec.population)}")
        )
        total = cast(func.coalesce(func.sum(grouped.c.n), 0), BigInteger)
        branches = [select(label, no_key.label("stratifier"), no_key.label("value"), total)]
        for key in spec.stratifiers:
            column = grouped.c[column_name(key)]
            n = cast(func.sum(grouped.c.n), BigInteger)
            branches.append(
                select(label, literal(key, String), cast(column, String), n).group_by(column)
            )
        return branches
    count = func.count() if spec.additive else func.count(distinct(spec.source.c.patient_id))
    base = select(label, no_key.label("stratifier"), no_key.label("value"), count.label("n"))
    branches = [base.select_from(spec.source).where(*_where(spec))]
    for key in spec.stratifiers:
        column = spec.source.c[column_name(key)]
        branches.append(
            select(label, literal(key, String), cast(column, String), count)
            .select_from(spec.source)
            .where(*_where(spec))
            .group_by(column)
        )
    return branches


def _where(spec: PopulationSource) -> list[Any]:
    return [] if spec.where is None else [spec.where]

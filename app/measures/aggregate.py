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
from app.measures.tally import can_tally_together, short_tallies, tally_branches


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
    domains: tuple[tuple[str, ...], ...] = ()
    """Every value each stratifier can take, in ``stratifiers`` order (empty: not known)."""

    def column(self, stratifier: str) -> Any:
        """Return the source column that holds ``stratifier``'s values."""
        return self.source.c[column_name(stratifier)]


def column_name(stratifier: str) -> str:
    """Return the source column that holds a stratifier's values."""
    return stratifier.replace("-", "_")


def count_populations(
    connection: Connection, sources: Sequence[PopulationSource]
) -> list[PopulationResult]:
    """Return each population's total and strata (zero strata omitted), counted by the database.

    On SQLite, additive populations whose stratifier domains are known are tallied value by
    value (``app.measures.tally``); any whose tables fall short of its total is counted again.
    """
    tallying = connection.dialect.name == "sqlite"
    branches = []
    tallied: list[PopulationSource] = []
    for group in shared_cubes(sources):
        if tallying and can_tally_together(group):
            branches += tally_branches(group)
            tallied += group
        else:
            branches += _group_branches(group)
    if not branches:
        return []
    results = _counted(connection, branches, sources)
    short = short_tallies(results, tallied)
    if not short:
        return results
    recounted = _counted(
        connection, [b for group in shared_cubes(short) for b in _group_branches(group)], short
    )
    again = {result.population: result for result in recounted}
    return [again.get(result.population, result) for result in results]


def _counted(
    connection: Connection, branches: list[Any], sources: Sequence[PopulationSource]
) -> list[PopulationResult]:
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


def shared_cubes(sources: Sequence[PopulationSource]) -> list[list[PopulationSource]]:
    """Return ``sources`` in groups counted by one ``GROUP BY``: additive populations of one source
    (the same object) by the same stratifiers and keys, each other source alone.

    A measure's populations are often conditions on one source (efficacy's five on its scored
    patients): grouped once, each counted by a filtered aggregate, where each sorted the source
    on its own before (SQLite has no hash aggregation).
    """
    groups: dict[tuple[Any, ...], list[PopulationSource]] = {}
    for spec in sources:
        if spec.additive and spec.stratifiers:
            key: tuple[Any, ...] = ("cube", id(spec.source), spec.stratifiers, spec.keys)
        else:
            key = ("alone", id(spec))
        groups.setdefault(key, []).append(spec)
    return list(groups.values())


def filtered(aggregate: Any, spec: PopulationSource) -> Any:
    """Return ``aggregate`` over the rows of ``spec``'s condition only (all rows without one)."""
    return aggregate if spec.where is None else aggregate.filter(spec.where)


def _group_branches(group: list[PopulationSource]) -> list[Any]:
    if len(group) == 1:
        return _branches(group[0])
    first = group[0]
    columns = [first.source.c[column_name(key)] for key in first.stratifiers]
    grouped = (
        select(
            *columns,
            *(filtered(func.count(), spec).label(f"n_{i}") for i, spec in enumerate(group)),
        )
        .select_from(first.source)
        .group_by(*columns)
        .cte(f"cube_{column_name(first.population)}")
    )
    return [
        branch
        for i, spec in enumerate(group)
        for branch in _cube_branches(spec, grouped, grouped.c[f"n_{i}"])
    ]


def _cube_branches(spec: PopulationSource, grouped: Any, n: Any) -> list[Any]:
    """Return the total and one-way branches of ``spec`` re-summed from its cube column ``n``."""
    label = literal(spec.population, String).label("population")
    no_key = cast(null(), String)
    total = cast(func.coalesce(func.sum(n), 0), BigInteger)
    branches = [select(label, no_key.label("stratifier"), no_key.label("value"), total)]
    for key in spec.stratifiers:
        column = grouped.c[column_name(key)]
        branches.append(
            select(
                label, literal(key, String), cast(column, String), cast(func.sum(n), BigInteger)
            ).group_by(column)
        )
    return branches


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
        return _cube_branches(spec, grouped, grouped.c.n)
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

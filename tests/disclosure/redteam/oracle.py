"""The truth the attacker is scored against: exact counts and who is in every cell.

``cell_members`` runs each population's own SQL source (the measure builders) and returns the ids
of the members of every cell — patients for patient populations, records for record populations.
It is the reference the node's SQL cell keys are checked against, and it lets the prototype of a
policy compute cell keys and set differences exactly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from app.deid.record_keys import RecordKeyer
from app.disclosure.membership import CellMembership, CellRef
from app.exchange.answer import PopulationResult
from app.exchange.query import MeasureQuery
from app.measures import evaluate_measure, validate_query
from app.measures.aggregate import column_name
from app.measures.cohort import MeasureContext
from app.measures.evaluate import BUILDERS
from app.measures.releases import answered_populations, applicable_stratifiers

Members = dict[CellRef, frozenset[str]]


def cell_members(
    connection: Connection, query: MeasureQuery, *, clip_records_per_patient: int | None = None
) -> tuple[Members, dict[str, str]]:
    """Return (members of every non-empty cell, unit of every population) for ``query``."""
    query = validate_query(query)
    # The store's own forms of the SQL (SQLite's read rowids, which PostgreSQL has not).
    context = MeasureContext(
        query,
        clip_records_per_patient=clip_records_per_patient,
        dialect=connection.dialect.name,
    )
    built = BUILDERS[query.measure](context)
    members: dict[CellRef, set[str]] = defaultdict(set)
    units = {}
    for spec in answered_populations(query):
        source = built[spec.id]
        units[spec.id] = spec.unit
        member = source.source.c.patient_id if spec.unit == "patient" else source.source.c.id
        keys = applicable_stratifiers(spec, query)
        columns = [source.source.c[column_name(key)] for key in keys]
        statement = select(member, *columns).select_from(source.source)
        if source.where is not None:
            statement = statement.where(source.where)
        for row in connection.execute(statement):
            members[(spec.id, None, None)].add(str(row[0]))
            for key, value in zip(keys, row[1:], strict=True):
                members[(spec.id, key, str(value))].add(str(row[0]))
    return {ref: frozenset(ids) for ref, ids in members.items()}, units


RECORD_KINDS = {
    "administrations": "administration",
    "events": "adverse_event",
    "short-intervals": "administration",
    "dispenses-above-max": "dispense",
    "administrations-bp-checked": "administration",
    "administrations-bp-rise": "administration",
    "administrations-severe-bp": "administration",
    "dispenses": "dispense",
    "dispenses-unreviewed": "dispense",
}
"""The store table whose rows a record population counts."""


def member_kind(population: str, unit: str) -> str:
    """Return the store table of a population's members (``patient`` for patient populations)."""
    return "patient" if unit == "patient" else RECORD_KINDS[population]


def memberships(
    members: Members, units: dict[str, str], secret: bytes
) -> dict[CellRef, CellMembership]:
    """Return the membership sums of every cell, from the members' record keys under ``secret``."""
    keyer = RecordKeyer(secret)
    result = {}
    for ref, ids in members.items():
        kind = member_kind(ref[0], units[ref[0]])
        keys = [keyer.keys(kind, member) for member in ids]
        result[ref] = CellMembership(
            len(ids), sum(key for key, _ in keys), sum(digest for _, digest in keys)
        )
    return result


def member_hashes(members: frozenset[str], population: str, unit: str, secret: bytes) -> list[int]:
    """Return the member hashes of one cell's members (what its sketch is made of)."""
    keyer = RecordKeyer(secret)
    kind = member_kind(population, unit)
    return [keyer.keys(kind, member)[1] for member in members]


@dataclass(frozen=True)
class Truth:
    """Exact counts of queries on the node store."""

    engine: Engine

    def counts(self, query: MeasureQuery) -> list[PopulationResult]:
        """Return the exact populations of ``query`` (zero strata included)."""
        with self.engine.connect() as connection:
            return evaluate_measure(connection, validate_query(query), include_zero_strata=True)

    def cells(self, query: MeasureQuery) -> dict[CellRef, int]:
        """Return the exact count of every cell of ``query``."""
        return cells_of(self.counts(query))


def cells_of(populations: list[PopulationResult]) -> dict[CellRef, int | None]:
    """Return every cell of ``populations`` by reference (``None`` for a masked one)."""
    cells: dict[CellRef, int | None] = {}
    for result in populations:
        cells[(result.population, None, None)] = result.total.count
        for key, table in result.strata.items():
            for value, cell in table.items():
                cells[(result.population, key, value)] = cell.count
    return cells

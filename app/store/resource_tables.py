"""Which store table serves each record-level FHIR resource type, and the reads that serve them.

The node's record-level read and search (``app.node.routes_records``) ask here for rows; the
profiles turn a row into its resource (``app.profiles.record_to_resource``). A Condition is the
diagnosis of a patient row, so its resource id is the patient's with a ``cond-`` prefix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, RowMapping, Table, and_, func, select

from app.store.models import RecordBase


@dataclass(frozen=True)
class ResourceTable:
    """Where one FHIR resource type is stored and how its resource ids map to row ids."""

    table: Table
    record_kind: str
    """The record kind the profiles render (``record_to_resource``)."""
    id_prefix: str = ""
    """What the resource id adds in front of the row id (``cond-`` for a Condition)."""

    def row_id(self, resource_id: str) -> str | None:
        """Return the row id of ``resource_id``, or None when it cannot be one of this type."""
        if not resource_id.startswith(self.id_prefix):
            return None
        return resource_id.removeprefix(self.id_prefix)


def _table(name: str) -> Table:
    return RecordBase.metadata.tables[name]


RESOURCE_TABLES: dict[str, ResourceTable] = {
    "Patient": ResourceTable(_table("patient"), "patient"),
    "Condition": ResourceTable(_table("patient"), "condition", id_prefix="cond-"),
    "MedicationAdministration": ResourceTable(_table("administration"), "administration"),
    "MedicationDispense": ResourceTable(_table("dispense"), "dispense"),
    "Observation": ResourceTable(_table("observation"), "observation"),
    "AdverseEvent": ResourceTable(_table("adverse_event"), "adverse_event"),
    "MedicationStatement": ResourceTable(_table("discontinuation"), "discontinuation"),
    "Encounter": ResourceTable(_table("review"), "review"),
    "QuestionnaireResponse": ResourceTable(_table("experience"), "experience"),
    "Consent": ResourceTable(_table("consent"), "consent"),
}
"""FHIR resource type → where its records are stored, in the order the node lists them."""


def search_rows(
    engine: Engine,
    source: ResourceTable,
    conditions: Sequence[ColumnElement[bool]],
    *,
    count: int,
    offset: int,
) -> tuple[int, list[RowMapping]]:
    """Return how many rows match ``conditions`` and the page of ``count`` from ``offset`` on.

    Rows come in row-id order, so pages are stable; ``count`` 0 reads the total only.
    """
    table = source.table
    where = and_(*conditions) if conditions else None
    total_query = select(func.count()).select_from(table)
    page = select(table).order_by(table.c.id).limit(count).offset(offset)
    if where is not None:
        total_query, page = total_query.where(where), page.where(where)
    with engine.connect() as connection:
        total = int(connection.execute(total_query).scalar_one())
        rows = list(connection.execute(page).mappings()) if count else []
    return total, rows


def read_row(engine: Engine, source: ResourceTable, resource_id: str) -> RowMapping | None:
    """Return the row of ``resource_id``, or None when the store holds no such resource."""
    row_id = source.row_id(resource_id)
    if row_id is None:
        return None
    table = source.table
    with engine.connect() as connection:
        row: RowMapping | None = (
            connection.execute(select(table).where(table.c.id == row_id)).mappings().first()
        )
    return row

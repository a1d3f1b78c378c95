"""Measure ``cross-border-overlap``: each node's part is its treated patients and their tokens.

The node answers ``$evaluate-measure`` with its ``treated-patients`` (as the measure of that name)
and, for the private set intersection with another node, gives the linkage tokens of the same
patients (``treated_patient_tokens``). Patients without a token (no family name or full birth
date at ingest) are counted but have no token to share. The ``overlap`` population itself is never
counted here: two nodes count it together (``app.linkage.psi``).
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from app.catalogue import load_catalogue
from app.errors import InputError
from app.exchange.query import MeasureQuery
from app.measures.aggregate import PopulationSource
from app.measures.cohort import MeasureContext, prefers_administration_scan
from app.measures.treated_patients import treated_patients_source
from app.store.models import LINKAGE_TOKENS


def build_cross_border_overlap(context: MeasureContext) -> dict[str, PopulationSource]:
    """Return the SQL source of the node-counted population (``treated-patients``)."""
    return {"treated-patients": treated_patients_source(context)}


def treated_patient_tokens(connection: Connection, query: MeasureQuery) -> list[bytes]:
    """Return the linkage tokens of the treated patients of a validated overlap ``query``."""
    if not load_catalogue()[query.measure].linked:
        raise InputError(f"measure: {query.measure} is not measured by private set intersection")
    context = MeasureContext(
        query,
        clip_records_per_patient=None,
        scan_administrations=prefers_administration_scan(connection, query),
    )
    index = context.index
    statement = select(LINKAGE_TOKENS.c.token).join(
        index, index.c.patient_id == LINKAGE_TOKENS.c.patient_id
    )
    return [bytes(token) for token in connection.execute(statement).scalars()]

"""Measure ``discontinuations``: treated patients and those with a discontinuation in the period.

The filters select the treated patients; their discontinuations dated in the period (before or
after the index) are then counted. Drug and route strata come from the index administration; a
patient with discontinuations for two reasons counts in both reason strata.
"""

from __future__ import annotations

from sqlalchemy import select

from app.measures.aggregate import PopulationSource
from app.measures.cohort import DISCONTINUATION, MeasureContext
from app.measures.treated_patients import treated_patients_source


def build_discontinuations(context: MeasureContext) -> dict[str, PopulationSource]:
    """Return the SQL sources of ``treated-patients`` and ``discontinued``."""
    index = context.index
    stopped = (
        select(
            DISCONTINUATION.c.patient_id,
            DISCONTINUATION.c.reason,
            index.c.drug,
            index.c.route,
            index.c.record_key,
            index.c.member_hash,
        )
        .join(index, index.c.patient_id == DISCONTINUATION.c.patient_id)
        .where(context.in_period(DISCONTINUATION.c.day))
        .subquery("discontinued")
    )
    return {
        "treated-patients": treated_patients_source(context),
        "discontinued": PopulationSource("discontinued", stopped, (), additive=False),
    }

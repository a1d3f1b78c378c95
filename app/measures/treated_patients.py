"""Measure ``treated-patients``: distinct patients with an index administration in the period.

Every stratum (drug, route, setting, year of index; sex, age band) is a column of the index CTE,
which has one row per treated patient, so the population is additive.
"""

from __future__ import annotations

from app.measures.aggregate import PopulationSource
from app.measures.cohort import MeasureContext


def build_treated_patients(context: MeasureContext) -> dict[str, PopulationSource]:
    """Return the SQL source of the ``treated-patients`` population."""
    return {"treated-patients": treated_patients_source(context)}


def treated_patients_source(context: MeasureContext) -> PopulationSource:
    """Return the treated patients (the index CTE), shared by every measure that reports them."""
    return PopulationSource("treated-patients", context.index, (), additive=True)

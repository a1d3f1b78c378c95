"""Measure ``informed-consent``: treated patients with each kind of consent record by their index.

A record counts when it is dated at or before the instant of the patient's index administration
(any time before, in or out of the period). Strata come from the index administration.
"""

from __future__ import annotations

from sqlalchemy import Table, select

from app.measures.aggregate import PopulationSource
from app.measures.cohort import MeasureContext
from app.measures.treated_patients import treated_patients_source
from app.profiles.prem import CONSENT_KINDS
from app.store.models import RecordBase

CONSENT: Table = RecordBase.metadata.tables["consent"]


def build_informed_consent(context: MeasureContext) -> dict[str, PopulationSource]:
    """Return the SQL sources of ``treated-patients`` and one population per consent kind."""
    index = context.index
    sources = {"treated-patients": treated_patients_source(context)}
    for kind in CONSENT_KINDS:
        recorded = (
            select(CONSENT.c.id)
            .where(
                CONSENT.c.patient_id == index.c.patient_id,
                CONSENT.c.kind == kind,
                CONSENT.c.at_s <= index.c.at_s,
            )
            .exists()
        )
        patients = select(*index.c).where(recorded).subquery(kind.replace("-", "_"))
        sources[kind] = PopulationSource(kind, patients, (), additive=True)
    return sources

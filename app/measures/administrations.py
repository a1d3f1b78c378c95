"""Measure ``administrations``: administrations in the period that match the filters.

Drug, route and setting filters act on each administration; sex and age-band filters keep or drop
its patient (through the index CTE). Strata come from the administration itself: its drug, route,
setting, UTC year and dose band (half-open bands in mg).
"""

from __future__ import annotations

from typing import Any

from app.measures.aggregate import PopulationSource
from app.measures.calendar import DOSE_BANDS_MG, band
from app.measures.cohort import ADMINISTRATION, MeasureContext


def build_administrations(context: MeasureContext) -> dict[str, PopulationSource]:
    """Return the SQL source of the ``administrations`` population."""
    return {"administrations": administrations_source(context)}


def administrations_source(context: MeasureContext) -> PopulationSource:
    """Return the administrations population, clipped per patient when noise is on."""
    return PopulationSource("administrations", administration_rows(context), (), additive=True)


def administration_rows(context: MeasureContext) -> Any:
    """Return a subquery of the counted administrations with their stratum columns."""
    statement = context.matching_administrations().add_columns(
        context.year(ADMINISTRATION.c.day).label("year"),
        band(ADMINISTRATION.c.dose_mg, DOSE_BANDS_MG).label("dose_band"),
    )
    if context.has_patient_filter:
        # Without a sex or age-band filter every matching administration belongs to a treated
        # patient by definition, so the join is needed only to drop filtered-out patients.
        statement = statement.where(ADMINISTRATION.c.patient_id.in_(context.treated_patient_ids()))
    return context.clipped(statement, "at_s", "id", name="administrations")

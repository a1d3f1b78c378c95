"""Measure ``guideline-adherence``: short dosing intervals and take-home dispenses.

The filters select the treated patients; then all their administrations in the period (any drug
or route) give dosing intervals: consecutive administrations by instant, the interval being the
difference of UTC day numbers (two doses on one date = 0 days). Intervals under 3 days are short.
Dispenses dated in the period count, those strictly above ``max-take-home-mg`` separately.
Strata come from the index administration.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.measures.aggregate import PopulationSource
from app.measures.cohort import ADMINISTRATION, DISPENSE, MeasureContext
from app.measures.treated_patients import treated_patients_source

SHORT_INTERVAL_DAYS = 3


def build_guideline_adherence(context: MeasureContext) -> dict[str, PopulationSource]:
    """Return the SQL sources of the five guideline-adherence populations."""
    index = context.index
    adm = ADMINISTRATION
    # Index strata are joined before the window, so no join ever reads a window's output (which
    # PostgreSQL, misjudging CTE sizes, may plan as a nested loop re-running the window).
    dosing = (
        select(
            adm.c.id,
            adm.c.patient_id,
            adm.c.at_s,
            adm.c.day,
            index.c.drug,
            index.c.route,
            func.lag(adm.c.day)
            .over(partition_by=adm.c.patient_id, order_by=(adm.c.at_s, adm.c.id))
            .label("previous_day"),
        )
        .join(index, index.c.patient_id == adm.c.patient_id)
        .where(context.in_period(adm.c.day))
        .subquery("dosing")
    )
    short = (
        select(dosing.c.id, dosing.c.patient_id, dosing.c.at_s, dosing.c.drug, dosing.c.route)
        .where(
            dosing.c.previous_day.is_not(None),
            dosing.c.day - dosing.c.previous_day < SHORT_INTERVAL_DAYS,
        )
        .cte("short_intervals")
    )
    dispensed = (
        select(
            DISPENSE.c.id,
            DISPENSE.c.patient_id,
            DISPENSE.c.at_s,
            DISPENSE.c.quantity_mg,
            index.c.drug,
            index.c.route,
        )
        .join(index, index.c.patient_id == DISPENSE.c.patient_id)
        .where(context.in_period(DISPENSE.c.day))
        .cte("dispensed")
    )
    limit_mg = float(context.query.parameters["max-take-home-mg"])
    above = select(*dispensed.c).where(dispensed.c.quantity_mg > limit_mg)
    return {
        "treated-patients": treated_patients_source(context),
        "patients-short-interval": PopulationSource(
            "patients-short-interval", short, (), additive=False
        ),
        "short-intervals": PopulationSource(
            "short-intervals",
            context.clipped(select(*short.c), "at_s", "id", name="counted_intervals"),
            (),
            additive=True,
        ),
        "patients-take-home": PopulationSource("patients-take-home", dispensed, (), additive=False),
        "dispenses-above-max": PopulationSource(
            "dispenses-above-max",
            context.clipped(above, "at_s", "id", name="counted_dispenses"),
            (),
            additive=True,
        ),
    }

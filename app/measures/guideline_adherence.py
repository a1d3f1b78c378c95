"""Measure ``guideline-adherence``: short dosing intervals and take-home dispenses.

The filters select the treated patients; then all their administrations in the period (any drug
or route) give dosing intervals: consecutive administrations by instant, the interval being the
difference of UTC day numbers (two doses on one date = 0 days). Intervals under 3 days are short.
Dispenses dated in the period count, those strictly above ``max-take-home-mg`` separately.
Strata come from the index administration.
"""

from __future__ import annotations

from sqlalchemy import CTE, ColumnElement, select

from app.measures.aggregate import PopulationSource
from app.measures.cohort import DISPENSE, MeasureContext
from app.measures.treated_patients import treated_patients_source
from app.store.dose_signals import DOSE_SHORT_INTERVAL

PATIENT_KEYS = ("patient_record_key", "patient_member_hash")
"""Patient populations over record rows sum their patients' keys, not the records'."""


def build_guideline_adherence(context: MeasureContext) -> dict[str, PopulationSource]:
    """Return the SQL sources of the five guideline-adherence populations."""
    index = context.index
    short = _short_intervals(context)
    # One row per patient (the index row) for the patients' population: a semi join on the
    # kept short intervals of the period, counted additively, where COUNT(DISTINCT patient_id)
    # over every short interval sorted them once per branch. On the kept table itself, not on
    # ``short`` (which joins the index first: a second pass over it). EXISTS: SQLite seeks the
    # patient's kept rows, where ``IN`` read the whole table into a list first (~-35% CPU).
    kept = DOSE_SHORT_INTERVAL
    patients_short = select(*index.c).where(
        select(kept.c.patient_id)
        .where(kept.c.patient_id == index.c.patient_id, *_in_period(context))
        .exists()
    )
    dispensed = (
        select(
            DISPENSE.c.id,
            DISPENSE.c.patient_id,
            DISPENSE.c.at_s,
            DISPENSE.c.quantity_mg,
            index.c.drug,
            index.c.route,
            DISPENSE.c.record_key,
            DISPENSE.c.member_hash,
            index.c.record_key.label("patient_record_key"),
            index.c.member_hash.label("patient_member_hash"),
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
            "patients-short-interval", patients_short.subquery("patients_short"), (), True
        ),
        "short-intervals": PopulationSource(
            "short-intervals",
            context.clipped(select(*short.c), "at_s", "id", name="counted_intervals"),
            (),
            additive=True,
        ),
        "patients-take-home": PopulationSource(
            "patients-take-home", dispensed, (), additive=False, keys=PATIENT_KEYS
        ),
        "dispenses-above-max": PopulationSource(
            "dispenses-above-max",
            context.clipped(above, "at_s", "id", name="counted_dispenses"),
            (),
            additive=True,
        ),
    }


def _short_intervals(context: MeasureContext) -> CTE:
    """Return the administrations in the period that end a short interval, with index strata.

    An administration ends a short interval when its predecessor (the previous one of the patient
    in the period, by instant then id) is dated less than 3 days before it. The store keeps every
    administration dated less than 3 days after the patient's previous one, with that one's day
    (``DOSE_SHORT_INTERVAL``): in the period, those whose previous one is in the period too.
    Before, each query found the predecessors itself (SQLite: an EXISTS probe per administration
    in the period, ~0.6 s at 1M; PostgreSQL: a LAG pass, ~0.5 s).
    """
    index = context.index
    short = DOSE_SHORT_INTERVAL
    return (
        select(
            short.c.administration_id.label("id"),
            short.c.patient_id,
            short.c.at_s,
            index.c.drug,
            index.c.route,
            short.c.record_key,
            short.c.member_hash,
        )
        .join(index, index.c.patient_id == short.c.patient_id)
        .where(*_in_period(context))
        .cte("short_intervals")
    )


def _in_period(context: MeasureContext) -> list[ColumnElement[bool]]:
    """Return the conditions of a kept short interval whose both doses are in the period."""
    short = DOSE_SHORT_INTERVAL
    return [context.in_period(short.c.day), short.c.previous_day >= context.start_day]

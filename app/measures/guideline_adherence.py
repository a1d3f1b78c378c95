"""Measure ``guideline-adherence``: short dosing intervals and take-home dispenses.

The filters select the treated patients; then all their administrations in the period (any drug
or route) give dosing intervals: consecutive administrations by instant, the interval being the
difference of UTC day numbers (two doses on one date = 0 days). Intervals under 3 days are short.
Dispenses dated in the period count, those strictly above ``max-take-home-mg`` separately.
Strata come from the index administration.
"""

from __future__ import annotations

from sqlalchemy import CTE, func, or_, select

from app.measures.aggregate import PopulationSource
from app.measures.calendar import SECONDS_PER_DAY
from app.measures.cohort import ADMINISTRATION, DISPENSE, MeasureContext
from app.measures.treated_patients import treated_patients_source

SHORT_INTERVAL_DAYS = 3
PATIENT_KEYS = ("patient_record_key", "patient_member_hash")
"""Patient populations over record rows sum their patients' keys, not the records'."""


def build_guideline_adherence(context: MeasureContext) -> dict[str, PopulationSource]:
    """Return the SQL sources of the five guideline-adherence populations."""
    index = context.index
    short = _short_intervals(context)
    # One row per patient (the index row) for the patients' population: a semi join on the
    # short intervals, counted additively, where COUNT(DISTINCT patient_id) over every short
    # interval sorted them once per branch.
    patients_short = select(*index.c).where(index.c.patient_id.in_(select(short.c.patient_id)))
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
    in the period, by instant then id) is dated less than 3 days before it.
    """
    index = context.index
    adm = ADMINISTRATION
    if context.dialect == "postgresql":
        # One ordered pass: ix_administration_patient_at gives the administrations in (patient,
        # instant, id) order, so LAG needs no sort; measured 2x faster there than the probes
        # below, which PostgreSQL runs as a hash semi join filtering ~6 M candidate pairs.
        ordered = (
            select(
                adm.c.id,
                adm.c.patient_id,
                adm.c.at_s,
                adm.c.day,
                adm.c.record_key,
                adm.c.member_hash,
                func.lag(adm.c.day)
                .over(partition_by=adm.c.patient_id, order_by=(adm.c.at_s, adm.c.id))
                .label("previous_day"),
            )
            .where(context.administration_in_period())
            .subquery("dosing_sequence")
        )
        return (
            select(
                ordered.c.id,
                ordered.c.patient_id,
                ordered.c.at_s,
                index.c.drug,
                index.c.route,
                ordered.c.record_key,
                ordered.c.member_hash,
            )
            .join(index, index.c.patient_id == ordered.c.patient_id)
            .where(ordered.c.day - ordered.c.previous_day < SHORT_INTERVAL_DAYS)
            .cte("short_intervals")
        )
    earlier = ADMINISTRATION.alias("earlier")
    # Days never decrease with the instant, so the predecessor is dated less than 3 days before
    # exactly when *some* earlier administration in the period is dated at most 2 days before:
    # an EXISTS probe on ix_administration_patient_at per administration, measured faster on
    # SQLite than sorting every administration for a LAG window. As day = ⌊at_s / 86400⌋, such
    # an administration lies within 3 × 86400 s before: the index range.
    has_close_predecessor = (
        select(earlier.c.id)
        .where(
            earlier.c.patient_id == adm.c.patient_id,
            earlier.c.at_s <= adm.c.at_s,
            earlier.c.at_s > adm.c.at_s - SHORT_INTERVAL_DAYS * SECONDS_PER_DAY,
            earlier.c.day >= adm.c.day - (SHORT_INTERVAL_DAYS - 1),
            or_(earlier.c.at_s < adm.c.at_s, earlier.c.id < adm.c.id),
            context.in_period(earlier.c.day),
        )
        .exists()
    )
    return (
        select(
            adm.c.id,
            adm.c.patient_id,
            adm.c.at_s,
            index.c.drug,
            index.c.route,
            adm.c.record_key,
            adm.c.member_hash,
        )
        .join(index, index.c.patient_id == adm.c.patient_id)
        .where(context.administration_in_period(), has_close_predecessor)
        .cte("short_intervals")
    )

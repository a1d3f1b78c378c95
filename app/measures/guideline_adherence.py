"""Measure ``guideline-adherence``: short dosing intervals and take-home dispenses.

The filters select the treated patients; then all their administrations in the period (any drug
or route) give dosing intervals: consecutive administrations by instant, the interval being the
difference of UTC day numbers (two doses on one date = 0 days). Intervals under 3 days are short.
Dispenses dated in the period count, those strictly above ``max-take-home-mg`` separately.
Strata come from the index administration.
"""

from __future__ import annotations

from sqlalchemy import or_, select

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
    adm, earlier = ADMINISTRATION, ADMINISTRATION.alias("earlier")
    # An administration ends a short interval when its predecessor (the previous one of the
    # patient in the period, by instant then id) is dated less than 3 days before it. Days never
    # decrease with the instant, so that holds exactly when *some* earlier administration in the
    # period is dated at most 2 days before: an EXISTS probe on ix_administration_patient_at per
    # administration, measured faster than sorting every administration for a LAG window. As
    # day = ⌊at_s / 86400⌋, such an administration lies within 3 × 86400 s before: the index range.
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
    short = (
        select(
            adm.c.id,
            adm.c.patient_id,
            adm.c.at_s,
            index.c.drug,
            index.c.route,
            adm.c.record_key,
            adm.c.member_hash,
            index.c.record_key.label("patient_record_key"),
            index.c.member_hash.label("patient_member_hash"),
        )
        .join(index, index.c.patient_id == adm.c.patient_id)
        .where(context.administration_in_period(), has_close_predecessor)
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
            "patients-short-interval", short, (), additive=False, keys=PATIENT_KEYS
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

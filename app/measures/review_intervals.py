"""Measure ``review-intervals``: take-home dispenses and the prescriber review before each.

The filters select the treated patients; their dispenses dated in the period count. A dispense is
*unreviewed* when the patient has no prescriber review in ``[dispensed_at − max-review-days,
dispensed_at]`` (an exact duration, closed at both ends; reviews count whenever they were, before
the period too). Strata come from the index administration, as in ``guideline-adherence``.
"""

from __future__ import annotations

from sqlalchemy import Table, select

from app.measures.aggregate import PopulationSource
from app.measures.calendar import SECONDS_PER_DAY
from app.measures.cohort import DISPENSE, MeasureContext
from app.store.models import RecordBase

REVIEW: Table = RecordBase.metadata.tables["review"]
PATIENT_KEYS = ("patient_record_key", "patient_member_hash")
"""Patient populations over dispense rows sum their patients' keys, not the dispenses'."""


def build_review_intervals(context: MeasureContext) -> dict[str, PopulationSource]:
    """Return the SQL sources of the four review-interval populations."""
    index = context.index
    window_s = round(float(context.query.parameters["max-review-days"]) * SECONDS_PER_DAY)
    reviewed = (
        select(REVIEW.c.id)
        .where(
            REVIEW.c.patient_id == DISPENSE.c.patient_id,
            REVIEW.c.at_s >= DISPENSE.c.at_s - window_s,
            REVIEW.c.at_s <= DISPENSE.c.at_s,
        )
        .exists()
    )
    dispensed = (
        select(
            DISPENSE.c.id,
            DISPENSE.c.patient_id,
            DISPENSE.c.at_s,
            index.c.drug,
            index.c.route,
            DISPENSE.c.record_key,
            DISPENSE.c.member_hash,
            index.c.record_key.label("patient_record_key"),
            index.c.member_hash.label("patient_member_hash"),
            (~reviewed).label("unreviewed"),
        )
        .join(index, index.c.patient_id == DISPENSE.c.patient_id)
        .where(context.in_period(DISPENSE.c.day))
        .cte("review_dispensed")
    )
    unreviewed = select(*dispensed.c).where(dispensed.c.unreviewed)
    unreviewed_rows = unreviewed.subquery("unreviewed_dispenses")
    return {
        "patients-take-home": PopulationSource(
            "patients-take-home", dispensed, (), additive=False, keys=PATIENT_KEYS
        ),
        "dispenses": PopulationSource(
            "dispenses",
            context.clipped(select(*dispensed.c), "at_s", "id", name="counted_dispenses"),
            (),
            additive=True,
        ),
        "dispenses-unreviewed": PopulationSource(
            "dispenses-unreviewed",
            context.clipped(unreviewed, "at_s", "id", name="counted_unreviewed"),
            (),
            additive=True,
        ),
        "patients-unreviewed": PopulationSource(
            "patients-unreviewed", unreviewed_rows, (), additive=False, keys=PATIENT_KEYS
        ),
    }

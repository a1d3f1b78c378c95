"""Measure ``patient-experience`` (parameter ``item``): PREM respondents and top-box answers.

Respondents are treated patients with an answer to ``item`` completed in the period, before or
after their index; a patient's latest such answer (by instant, ties by id) counts, one row per
patient. Top box: that answer is ``4``, ``5`` or ``yes``; the two coded items have none (the
catalogue answers ``top-box`` only for the other items). Strata come from the index administration
and the patient, ``answer`` from the counted answer.
"""

from __future__ import annotations

from sqlalchemy import Table, func, select

from app.measures.aggregate import PopulationSource
from app.measures.cohort import MeasureContext
from app.profiles.prem import TOP_BOX
from app.store.models import RecordBase

EXPERIENCE: Table = RecordBase.metadata.tables["experience"]


def build_patient_experience(context: MeasureContext) -> dict[str, PopulationSource]:
    """Return the SQL sources of ``respondents`` and ``top-box``."""
    index, answered = context.index, EXPERIENCE
    ranked = (
        select(
            answered.c.patient_id,
            answered.c.answer,
            func.row_number()
            .over(
                partition_by=answered.c.patient_id,
                order_by=(answered.c.at_s.desc(), answered.c.id.desc()),
            )
            .label("latest"),
        )
        .where(
            answered.c.item == str(context.query.parameters["item"]),
            context.in_period(answered.c.day),
            answered.c.patient_id.in_(context.treated_patient_ids()),
        )
        .subquery("ranked_answers")
    )
    respondents = (
        select(
            index.c.patient_id,
            ranked.c.answer,
            index.c.drug,
            index.c.route,
            index.c.sex,
            index.c.age_band,
            index.c.record_key,
            index.c.member_hash,
        )
        .join(ranked, ranked.c.patient_id == index.c.patient_id)
        .where(ranked.c.latest == 1)
        .cte("respondents")
    )
    top_box = select(*respondents.c).where(respondents.c.answer.in_(sorted(TOP_BOX)))
    return {
        "respondents": PopulationSource("respondents", respondents, (), additive=True),
        "top-box": PopulationSource("top-box", top_box.subquery("top_box"), (), additive=True),
    }

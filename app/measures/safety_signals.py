"""Measure ``safety-signals``: blood pressure around doses, liver tests and the bladder score.

Signals are derived from raw observations, not from adverse events a clinician chose to file.

*Blood pressure*: a pair is an SBP and a DBP of the patient at the same instant (several readings of
one code at one instant: the highest counts). An administration at ``t`` is *checked* when a pair
lies in ``[t − 2 h, t]`` and another in the post-dose window ``(t, t + 2 h]``, which ends just
before the patient's next administration (any drug or route, filtered or not): a reading at the
next dose's instant is that dose's pre-dose reading only. *pre* is the latest pre-dose pair; a
*rise* is a post-dose pair with SBP ≥ pre SBP + 40 or DBP ≥ pre DBP + 25; *severe* is a post-dose
pair with SBP ≥ 180 or DBP ≥ 110. Administrations take drug and route from themselves, sex and
age band from the patient (at index).

*Liver and bladder*: treated patients with an ALT or AST (a BPICSS) in the period at or after their
index instant; positive when ALT > 3 × ``alt-uln`` or AST > 3 × ``ast-uln`` (BPICSS ≥
``bpic-threshold``). One row per patient, strata from the index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CTE, ColumnElement, and_, case, func, or_, select

from app.measures.aggregate import PopulationSource
from app.measures.cohort import ADMINISTRATION, OBSERVATION, MeasureContext

WINDOW_S = 2 * 3600
"""The pre- and post-dose windows, 2 h each."""
RISE_SBP_MMHG = 40
RISE_DBP_MMHG = 25
SEVERE_SBP_MMHG = 180
SEVERE_DBP_MMHG = 110
ULN_MULTIPLE = 3


def build_safety_signals(context: MeasureContext) -> dict[str, PopulationSource]:
    """Return the SQL sources of the seven safety-signal populations."""
    parameters = context.query.parameters
    checked = _checked_administrations(context)
    rise = select(*checked.c).where(checked.c.rise == 1)
    severe = select(*checked.c).where(checked.c.severe == 1)
    liver_high = or_(
        and_(OBSERVATION.c.code == "ALT", OBSERVATION.c.value > _times_uln(parameters["alt-uln"])),
        and_(OBSERVATION.c.code == "AST", OBSERVATION.c.value > _times_uln(parameters["ast-uln"])),
    )
    bladder_positive = OBSERVATION.c.value >= float(parameters["bpic-threshold"])
    liver_codes = OBSERVATION.c.code.in_(("ALT", "AST"))
    bladder_code = OBSERVATION.c.code == "BPICSS"

    def record_source(population: str, statement: Any, name: str) -> PopulationSource:
        clipped = context.clipped(statement, "at_s", "id", name=name)
        return PopulationSource(population, clipped, (), additive=True)

    return {
        "administrations-bp-checked": record_source(
            "administrations-bp-checked", select(*checked.c), "bp_checked_counted"
        ),
        "administrations-bp-rise": record_source("administrations-bp-rise", rise, "bp_rise"),
        "administrations-severe-bp": record_source(
            "administrations-severe-bp", severe, "bp_severe"
        ),
        "patients-lft-checked": _patients_with(context, "patients-lft-checked", liver_codes),
        "patients-lft-3x-uln": _patients_with(
            context, "patients-lft-3x-uln", and_(liver_codes, liver_high)
        ),
        "patients-bladder-screened": _patients_with(
            context, "patients-bladder-screened", bladder_code
        ),
        "patients-bladder-positive": _patients_with(
            context, "patients-bladder-positive", and_(bladder_code, bladder_positive)
        ),
    }


def _times_uln(uln: str | float) -> float:
    """Return 3 × the upper limit of normal (exact in binary for the usual integer limits)."""
    return ULN_MULTIPLE * float(uln)


def _patients_with(context: MeasureContext, population: str, condition: Any) -> PopulationSource:
    """Return the treated patients with an observation in the period, at or after index, meeting
    ``condition``: one row per patient (the index row), so the population is additive."""
    index = context.index
    observed = (
        select(OBSERVATION.c.id)
        .where(
            OBSERVATION.c.patient_id == index.c.patient_id,
            context.in_period(OBSERVATION.c.day),
            OBSERVATION.c.at_s >= index.c.at_s,
            condition,
        )
        .exists()
    )
    return PopulationSource(population, select(*index.c).where(observed).subquery(), (), True)


def _checked_administrations(context: MeasureContext) -> CTE:
    """Return the checked administrations with ``rise`` and ``severe`` flags (0/1) and strata.

    Set-based and one pass over the doses: every reading is found by index seeks on
    ``ix_observation_patient_code_at`` (patient, code, instant range), never by scanning all of a
    patient's readings. A pair's SBP or DBP meeting a threshold is the same as the highest of
    several readings at that instant meeting it, so EXISTS over SBP × DBP at one instant decides.
    """
    adm, later = ADMINISTRATION, ADMINISTRATION.alias("later_adm")
    index = context.index
    next_at = (
        select(func.min(later.c.at_s))
        .where(later.c.patient_id == adm.c.patient_id, later.c.at_s > adm.c.at_s)
        .scalar_subquery()
    )
    sbp, dbp = OBSERVATION.alias("pre_sbp"), OBSERVATION.alias("pre_dbp")
    pre_at = (
        select(func.max(sbp.c.at_s))
        .where(
            sbp.c.patient_id == adm.c.patient_id,
            sbp.c.code == "SBP",
            sbp.c.at_s >= adm.c.at_s - WINDOW_S,
            sbp.c.at_s <= adm.c.at_s,
            select(dbp.c.id)
            .where(
                dbp.c.patient_id == sbp.c.patient_id, dbp.c.code == "DBP", dbp.c.at_s == sbp.c.at_s
            )
            .exists(),
        )
        .scalar_subquery()
    )
    doses = (
        select(
            adm.c.id,
            adm.c.patient_id,
            adm.c.at_s,
            adm.c.drug,
            adm.c.route,
            index.c.sex,
            index.c.age_band,
            adm.c.record_key,
            adm.c.member_hash,
            # The post-dose window ends before the next dose; with none, after t + 2 h.
            func.coalesce(next_at, adm.c.at_s + WINDOW_S + 1).label("next_at"),
            pre_at.label("pre_at"),
        )
        .join(index, index.c.patient_id == adm.c.patient_id)
        .where(context.administration_in_period(), *context.matches_administration_filters(adm))
        .cte("bp_doses")
        .prefix_with("MATERIALIZED")
    )

    def highest(code: str) -> Any:
        reading = OBSERVATION.alias(f"pre_value_{code.lower()}")
        return (
            select(func.max(reading.c.value))
            .where(
                reading.c.patient_id == doses.c.patient_id,
                reading.c.code == code,
                reading.c.at_s == doses.c.pre_at,
            )
            .scalar_subquery()
        )

    with_pre = (
        select(*doses.c, highest("SBP").label("pre_sbp"), highest("DBP").label("pre_dbp"))
        .where(doses.c.pre_at.is_not(None))
        .cte("bp_pre")
        .prefix_with("MATERIALIZED")
    )

    def post_pair(*conditions: Any) -> Any:
        post_sbp, post_dbp = OBSERVATION.alias("post_sbp"), OBSERVATION.alias("post_dbp")
        found = (
            select(post_sbp.c.id)
            .join(
                post_dbp,
                and_(
                    post_dbp.c.patient_id == post_sbp.c.patient_id,
                    post_dbp.c.code == "DBP",
                    post_dbp.c.at_s == post_sbp.c.at_s,
                ),
            )
            .where(
                post_sbp.c.patient_id == with_pre.c.patient_id,
                post_sbp.c.code == "SBP",
                post_sbp.c.at_s > with_pre.c.at_s,
                post_sbp.c.at_s <= with_pre.c.at_s + WINDOW_S,
                post_sbp.c.at_s < with_pre.c.next_at,
                *[condition(post_sbp.c.value, post_dbp.c.value) for condition in conditions],
            )
            .exists()
        )
        return case((found, 1), else_=0)

    def rise(sbp_value: Any, dbp_value: Any) -> Any:
        return or_(
            sbp_value >= with_pre.c.pre_sbp + RISE_SBP_MMHG,
            dbp_value >= with_pre.c.pre_dbp + RISE_DBP_MMHG,
        )

    def severe(sbp_value: Any, dbp_value: Any) -> Any:
        return or_(sbp_value >= SEVERE_SBP_MMHG, dbp_value >= SEVERE_DBP_MMHG)

    carried = ("id", "patient_id", "at_s", "drug", "route", "sex", "age_band", "record_key",
               "member_hash")  # fmt: skip
    flagged = select(
        *(with_pre.c[name] for name in carried),
        post_pair().label("checked"),
        post_pair(rise).label("rise"),
        post_pair(severe).label("severe"),
    ).subquery("bp_flagged")
    checked = select(*flagged.c).where(flagged.c.checked == 1)
    # Read by three populations: computed once.
    return checked.cte("bp_checked").prefix_with("MATERIALIZED")


def _any(condition: ColumnElement[bool]) -> Any:
    """Return 1 when ``condition`` holds for any row of the group, else 0."""
    return func.max(case((condition, 1), else_=0))

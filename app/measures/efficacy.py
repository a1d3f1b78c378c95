"""Measure ``efficacy``: response and remission on one instrument at one time point.

Baseline: the latest score in ``[index − 14 days, index]``. Follow-up: the score closest to
``index + target`` inside the time point's closed window after the index instant, the earlier on a
tie. Scores need not be in the period. Windows are exact durations in seconds on ``at_s``.
Denominator: baseline above the remission threshold and a follow-up present; responders
(``2 × follow-up ≤ baseline``: exact, as doubling a float is exact) and remitters are subsets of it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, and_, case, func, literal, select, union_all

from app.measures.aggregate import PopulationSource
from app.measures.calendar import SECONDS_PER_DAY
from app.measures.cohort import OBSERVATION, MeasureContext

HOUR_S = 3600
DAY_S = SECONDS_PER_DAY
BASELINE_LOOKBACK_S = 14 * DAY_S
TIMEPOINTS_S: dict[str, tuple[int, int, int]] = {
    "24h": (DAY_S, 12 * HOUR_S, 48 * HOUR_S),
    "day7": (7 * DAY_S, 5 * DAY_S, 10 * DAY_S),
    "day28": (28 * DAY_S, 21 * DAY_S, 35 * DAY_S),
    "month3": (90 * DAY_S, 76 * DAY_S, 104 * DAY_S),
    "month6": (180 * DAY_S, 150 * DAY_S, 210 * DAY_S),
    "month12": (365 * DAY_S, 300 * DAY_S, 430 * DAY_S),
}
"""Time point → (target, window start, window end) in seconds after the index instant."""
REMISSION_THRESHOLDS = {"MADRS": 10, "PHQ9": 4, "HAMD17": 7, "QIDSSR16": 5}
MADRS_ALTERNATIVE_THRESHOLD = 12
STRATA = ("drug", "route", "sex", "age_band")
BASELINE, FOLLOWUP = 0, 1


def build_efficacy(context: MeasureContext) -> dict[str, PopulationSource]:
    """Return the SQL sources of the efficacy populations for the query's instrument and time."""
    instrument = str(context.query.parameters["instrument"])
    timepoint = str(context.query.parameters["timepoint"])
    threshold = REMISSION_THRESHOLDS[instrument]
    scored = _scored(context, instrument, TIMEPOINTS_S[timepoint])
    baseline, followup = scored.c.baseline, scored.c.followup
    denominator = and_(baseline > threshold, followup.is_not(None))
    wheres: dict[str, Any] = {
        "initial-population": None,
        "denominator": denominator,
        "responders": and_(denominator, 2 * followup <= baseline),
        "remitters": and_(denominator, followup <= threshold),
        "remitters-12": and_(denominator, followup <= MADRS_ALTERNATIVE_THRESHOLD),
    }
    return {
        population: PopulationSource(population, scored, (), additive=True, where=where)
        for population, where in wheres.items()
    }


def _scored(context: MeasureContext, instrument: str, window: tuple[int, int, int]) -> Any:
    """Return a CTE, one row per treated patient with a baseline: strata, baseline, follow-up."""
    index = context.index
    target_s, start_s, end_s = window
    base = OBSERVATION.alias("baseline_score")
    baseline = _ranked(
        index,
        base,
        and_(
            base.c.patient_id == index.c.patient_id,
            base.c.code == instrument,
            base.c.at_s >= index.c.at_s - BASELINE_LOOKBACK_S,
            base.c.at_s <= index.c.at_s,
        ),
        order_by=(base.c.at_s.desc(), base.c.id.desc()),
        kind=BASELINE,
    )
    follow = OBSERVATION.alias("followup_score")
    followup = _ranked(
        index,
        follow,
        and_(
            follow.c.patient_id == index.c.patient_id,
            follow.c.code == instrument,
            follow.c.at_s >= index.c.at_s + start_s,
            follow.c.at_s <= index.c.at_s + end_s,
        ),
        order_by=(func.abs(follow.c.at_s - (index.c.at_s + target_s)), follow.c.at_s, follow.c.id),
        kind=FOLLOWUP,
    )
    # Both first scores in one ranked set, folded per patient by GROUP BY: no join between two
    # window results, which SQLite may plan as a nested scan (quadratic in patients).
    ranked = union_all(baseline, followup).subquery("ranked_scores")
    keys = [ranked.c.patient_id, *(ranked.c[name] for name in STRATA)]

    def first(kind: int) -> Any:
        return func.max(case((ranked.c.kind == kind, ranked.c.value)))

    return (
        select(*keys, first(BASELINE).label("baseline"), first(FOLLOWUP).label("followup"))
        .where(ranked.c.rn == 1)
        .group_by(*keys)
        .having(first(BASELINE).is_not(None))
        .cte("scored")
    )


def _ranked(index: Any, score: Any, on: Any, *, order_by: tuple[Any, ...], kind: int) -> Any:
    """Return the scores joined ``on`` with their rank per patient in ``order_by`` order."""
    return select(
        index.c.patient_id,
        *(index.c[name] for name in STRATA),
        literal(kind, Integer).label("kind"),
        score.c.value,
        func.row_number().over(partition_by=index.c.patient_id, order_by=order_by).label("rn"),
    ).select_from(index.join(score, on))

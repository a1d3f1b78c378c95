"""Measure ``efficacy``: response and remission on one instrument at one time point.

Baseline: the latest score in ``[index − 14 days, index]``. Follow-up: the score closest to
``index + target`` inside the time point's closed window after the index instant, the earlier on a
tie. Scores need not be in the period. Windows are exact durations in seconds on ``at_s``.
Denominator: baseline above the remission threshold and a follow-up present; responders
(``2 × follow-up ≤ baseline``: exact, as doubling a float is exact) and remitters are subsets of it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal_column, or_, select, true

from app.measures.aggregate import PopulationSource
from app.measures.calendar import SECONDS_PER_DAY
from app.measures.cohort import OBSERVATION, MeasureContext
from app.store.models import SCORE_CODES

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
KEYS = ("record_key", "member_hash")
"""The patient's secret keys, carried for ``app.measures.members``."""


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
    """Return a CTE, one row per treated patient with a baseline: strata, baseline, follow-up.

    Each score is found by a correlated ``ORDER BY … LIMIT 1`` lookup, one seek on
    ``OBSERVATION_SCORE_INDEX`` per treated patient, which carries id and value, so no lookup
    reads a table row (PostgreSQL runs the same lookups as
    LATERAL joins, ``_scored_by_lateral``): no window over the
    joined scores, whose sorts dominated the measure (and spilled to disk on PostgreSQL).
    SQLite cannot order a subquery by an outer column, so the follow-up closest to the target is
    chosen between the last score at or before it and the first after it (the earlier on a tie).
    """
    if context.dialect == "postgresql":
        return _scored_by_lateral(context, instrument, window)
    index = context.index
    target_s, start_s, end_s = window
    target = index.c.at_s + target_s

    def first(name: str, *conditions: Any, order_by: tuple[Any, ...], column: str = "value") -> Any:
        score = OBSERVATION.alias(name)
        # The rowid (which the index carries) finds the row itself: no seek on the id index.
        chosen = literal_column(f"{name}.rowid") if column == "rowid" else score.c[column]
        return (
            select(chosen)
            .where(
                score.c.patient_id == index.c.patient_id,
                score.c.code == instrument,
                *(condition(score.c.at_s) for condition in conditions),
            )
            .order_by(*(key(score) for key in order_by))
            .limit(1)
            .scalar_subquery()
        )

    scores = select(
        *(index.c[name] for name in ("patient_id", *STRATA, *KEYS)),
        target.label("target"),
        first(
            "baseline_score",
            lambda at: at >= index.c.at_s - BASELINE_LOOKBACK_S,
            lambda at: at <= index.c.at_s,
            order_by=(lambda s: s.c.at_s.desc(), lambda s: s.c.id.desc()),
        ).label("baseline"),
        first(
            "before_score",
            lambda at: at >= index.c.at_s + start_s,
            lambda at: at <= target,
            order_by=(lambda s: s.c.at_s.desc(), lambda s: s.c.id),
            column="rowid",
        ).label("before_row"),
        first(
            "after_score",
            lambda at: at > target,
            lambda at: at <= index.c.at_s + end_s,
            order_by=(lambda s: s.c.at_s, lambda s: s.c.id),
            column="rowid",
        ).label("after_row"),
    ).subquery("scores")
    before, after = OBSERVATION.alias("before_target"), OBSERVATION.alias("after_target")
    take_before = and_(
        before.c.id.is_not(None),
        or_(
            after.c.id.is_(None), scores.c.target - before.c.at_s <= after.c.at_s - scores.c.target
        ),
    )
    return (
        select(
            *(scores.c[name] for name in ("patient_id", *STRATA, *KEYS, "baseline")),
            case((take_before, before.c.value), else_=after.c.value).label("followup"),
        )
        .select_from(
            scores.outerjoin(
                before, literal_column(f"{before.name}.rowid") == scores.c.before_row
            ).outerjoin(after, literal_column(f"{after.name}.rowid") == scores.c.after_row)
        )
        .where(scores.c.baseline.is_not(None))
        .cte("scored")
    )


def _scored_by_lateral(
    context: MeasureContext, instrument: str, window: tuple[int, int, int]
) -> Any:
    """Return the ``scored`` CTE with both scores found by LATERAL lookups (PostgreSQL).

    One index-only seek on ``SCORE_INDEX`` (patient, code, instant, id, with the value) per
    treated patient and score, each returning the chosen score itself (on
    ix_observation_patient_code_at each sorted its candidates and fetched them from the table:
    ~35% more time for the statement at 1M). PostgreSQL orders by the outer instant, so the
    follow-up is the first by distance to the target, then instant (the earlier wins a tie),
    then id: the same choice as the two-sided lookups of the portable form.
    """
    index = context.index
    target_s, start_s, end_s = window
    # Written out (a catalogue instrument, one of SCORE_CODES), so that the planner reads the
    # partial SCORE_INDEX whatever plan it caches.
    if instrument not in SCORE_CODES:
        raise ValueError(f"instrument {instrument!r} is not one of {SCORE_CODES}")
    code: ColumnElement[str] = literal_column(f"'{instrument}'")

    def lookup(name: str, *conditions: Any, order_by: Any) -> Any:
        score = OBSERVATION.alias(f"{name}_score")
        return (
            select(score.c.value.label(name))
            .where(
                score.c.patient_id == index.c.patient_id,
                score.c.code == code,
                *(condition(score.c.at_s) for condition in conditions),
            )
            .order_by(*order_by(score))
            .limit(1)
            .lateral(name)
        )

    baseline = lookup(
        "baseline",
        lambda at: at >= index.c.at_s - BASELINE_LOOKBACK_S,
        lambda at: at <= index.c.at_s,
        order_by=lambda s: (s.c.at_s.desc(), s.c.id.desc()),
    )
    target = index.c.at_s + target_s
    followup = lookup(
        "followup",
        lambda at: at >= index.c.at_s + start_s,
        lambda at: at <= index.c.at_s + end_s,
        order_by=lambda s: (func.abs(s.c.at_s - target), s.c.at_s, s.c.id),
    )
    return (
        select(
            *(index.c[name] for name in ("patient_id", *STRATA, *KEYS)),
            baseline.c.baseline,
            followup.c.followup,
        )
        .select_from(index.join(baseline, true()).outerjoin(followup, true()))
        .cte("scored")
    )

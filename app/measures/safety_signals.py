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

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    and_,
    case,
    func,
    literal_column,
    null,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql

from app.measures.aggregate import PopulationSource
from app.measures.calendar import SECONDS_PER_DAY
from app.measures.cohort import ADMINISTRATION, OBSERVATION, MeasureContext
from app.store.models import BP_CODES

WINDOW_S = 2 * 3600
"""The pre- and post-dose windows, 2 h each."""
RISE_SBP_MMHG = 40
RISE_DBP_MMHG = 25
SEVERE_SBP_MMHG = 180
SEVERE_DBP_MMHG = 110
ULN_MULTIPLE = 3
SCREENING_CODES = ("ALT", "AST", "BPICSS")
"""Observation codes of the liver and bladder populations."""


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
    liver_codes = OBSERVATION.c.code.in_(("ALT", "AST"))
    bladder_code = OBSERVATION.c.code == "BPICSS"
    bladder_positive = OBSERVATION.c.value >= float(parameters["bpic-threshold"])
    flags = _observed_flags(
        context,
        {
            "lft_checked": liver_codes,
            "lft_high": and_(liver_codes, liver_high),
            "bladder_screened": bladder_code,
            "bladder_positive": and_(bladder_code, bladder_positive),
        },
    )

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
        "patients-lft-checked": _patients_with(
            context, "patients-lft-checked", flags, "lft_checked"
        ),
        "patients-lft-3x-uln": _patients_with(context, "patients-lft-3x-uln", flags, "lft_high"),
        "patients-bladder-screened": _patients_with(
            context, "patients-bladder-screened", flags, "bladder_screened"
        ),
        "patients-bladder-positive": _patients_with(
            context, "patients-bladder-positive", flags, "bladder_positive"
        ),
    }


def _times_uln(uln: str | float) -> float:
    """Return 3 × the upper limit of normal (exact in binary for the usual integer limits)."""
    return ULN_MULTIPLE * float(uln)


def _observed_flags(context: MeasureContext, conditions: dict[str, Any]) -> CTE:
    """Return, per treated patient with a liver test or bladder score in the period at or after
    the index instant, a 0/1 flag per named condition (some such observation meets it).

    One pass over those observations for the four liver and bladder populations: before, each
    population probed (SQLite) or scanned (PostgreSQL) ``observation`` on its own.
    """
    index = context.index
    obs = OBSERVATION
    return (
        select(
            index.c.patient_id,
            *(_any(condition).label(name) for name, condition in conditions.items()),
        )
        .select_from(index.join(obs, obs.c.patient_id == index.c.patient_id))
        .where(
            obs.c.code.in_(SCREENING_CODES),
            context.in_period(obs.c.day),
            obs.c.at_s >= index.c.at_s,
        )
        .group_by(index.c.patient_id)
        .cte("screened_patients")
        .prefix_with("MATERIALIZED")
    )


def _patients_with(
    context: MeasureContext, population: str, flags: CTE, flag: str
) -> PopulationSource:
    """Return the treated patients whose ``flag`` is set: one row per patient (the index row),
    so the population is additive."""
    index = context.index
    patients = (
        select(*index.c)
        .join(flags, flags.c.patient_id == index.c.patient_id)
        .where(flags.c[flag] == 1)
        .subquery()
    )
    return PopulationSource(population, patients, (), True)


def _checked_administrations(context: MeasureContext) -> CTE:
    """Return the checked administrations with ``rise`` and ``severe`` flags (0/1) and strata.

    Set-based and one pass over the doses: every reading is found by index seeks on
    ``ix_observation_patient_code_at`` (patient, code, instant range), never by scanning all of a
    patient's readings. A pair's SBP or DBP meeting a threshold is the same as the highest of
    several readings at that instant meeting it, so EXISTS over SBP × DBP at one instant decides.
    """
    if context.dialect == "postgresql":
        return _checked_on_a_timeline(context)
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

    def post_highest(code: str) -> Any:
        """The highest ``code`` value among the post-dose pairs (NULL: no post-dose pair).

        A pair meeting a rise or severe threshold is the same as the highest values meeting it
        (the conditions are ORs of lower bounds), so two lookups decide all three flags: before,
        one EXISTS per flag, and SQLite evaluated the ``checked`` one twice (WHERE and SELECT).
        """
        post_sbp, post_dbp = OBSERVATION.alias("post_sbp"), OBSERVATION.alias("post_dbp")
        value = post_sbp.c.value if code == "SBP" else post_dbp.c.value
        return (
            select(func.max(value))
            .select_from(post_sbp)
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
            )
            .scalar_subquery()
        )

    carried = ("id", "patient_id", "at_s", "drug", "route", "sex", "age_band", "record_key",
               "member_hash")  # fmt: skip
    # Materialised, so that each lookup runs once per dose (a flattened subquery would repeat
    # it in every expression that reads its column).
    with_post = (
        select(
            *(with_pre.c[name] for name in carried),
            with_pre.c.pre_sbp,
            with_pre.c.pre_dbp,
            post_highest("SBP").label("post_sbp"),
            post_highest("DBP").label("post_dbp"),
        )
        .cte("bp_post")
        .prefix_with("MATERIALIZED")
    )
    p = with_post.c
    rise = or_(p.post_sbp >= p.pre_sbp + RISE_SBP_MMHG, p.post_dbp >= p.pre_dbp + RISE_DBP_MMHG)
    severe = or_(p.post_sbp >= SEVERE_SBP_MMHG, p.post_dbp >= SEVERE_DBP_MMHG)
    checked = select(
        *(p[name] for name in carried),
        literal_column("1").label("checked"),
        case((rise, 1), else_=0).label("rise"),
        case((severe, 1), else_=0).label("severe"),
    ).where(p.post_sbp.is_not(None))
    # Read by three populations: computed once.
    return checked.cte("bp_checked").prefix_with("MATERIALIZED")


def _checked_on_a_timeline(context: MeasureContext) -> CTE:
    """Return the same rows as ``_checked_administrations``, from one ordered pass (PostgreSQL).

    Per dose, the portable form makes about a dozen index seeks (next dose, pre-dose pair, its
    values, three post-dose pairs): ~20 s for 670,000 doses. Here the administrations and the
    blood pressure pairs (one row per patient and instant with both codes, the highest of each)
    are merged into one timeline per patient, in (patient, instant) order, which both come in
    from their indexes (``ix_administration_patient_at``, ``BP_INDEX``), and two window passes
    over it find, for every administration at ``t``:

    - *pre*: the latest pair at or before ``t`` (a RANGE frame takes pairs at ``t`` itself, its
      peers), kept when it lies in ``[t − 2 h, t]``;
    - *owner*: on each row, the latest administration instant at or before it (at its own
      instant too: a pair at a dose's instant is that dose's pre-dose pair only; on a dose, its
      own instant). The pairs a dose owns are those up to the next dose;
    - *post*: per patient and owner (a window partition, which an incremental sort makes from the
      timeline's order), the highest SBP and DBP among the owned pairs in ``(t, t + 2 h]``. A
      rise or severe pressure in some pair is the same as one in the highest values, so these
      decide all three flags.

    Before, *post* came from a frame over the pairs in ``(t, t + 2 h]`` (the least ``[owner,
    −SBP]`` arrays there): two more passes that rebuilt an aggregate per row, ~2.5 s at 1M.

    Every administration of the patients in the period takes part (any drug or route: a later
    dose cuts the window whether it matches the filters or not); filters keep the counted ones.
    """
    adm, obs = ADMINISTRATION, OBSERVATION
    index = context.index
    # Readings and doses that can matter: from the day before the period to the day after.
    low_s, high_s = (
        (context.start_day - 1) * SECONDS_PER_DAY,
        (context.end_day + 2) * SECONDS_PER_DAY,
    )
    no_value = null().cast(Float)
    doses = select(
        adm.c.patient_id,
        adm.c.at_s,
        adm.c.id,
        adm.c.day,
        adm.c.drug,
        adm.c.route,
        adm.c.setting,
        adm.c.record_key,
        adm.c.member_hash,
        no_value.label("sbp"),
        no_value.label("dbp"),
    ).where(adm.c.at_s.between(low_s, high_s))
    # Ordered in the branch, so that PostgreSQL reads it in order from ix_administration_patient_at
    # (which carries these columns): a branch of UNION ALL is planned on its own, and without
    # the ORDER BY it took a table scan and a 670,000-row sort (to disk) for the merge.
    doses = doses.order_by(adm.c.patient_id, adm.c.at_s)

    def highest(code: str) -> Any:
        return func.max(obs.c.value).filter(obs.c.code == literal_column(f"'{code}'"))

    codes = ", ".join(f"'{code}'" for code in BP_CODES)  # as BP_INDEX's predicate, for the planner
    pairs = (
        select(
            obs.c.patient_id,
            obs.c.at_s,
            *(null().label(name) for name in ("id", "day", "drug", "route", "setting")),
            null().label("record_key"),
            null().label("member_hash"),
            highest("SBP").label("sbp"),
            highest("DBP").label("dbp"),
        )
        .where(literal_column(f"code IN ({codes})"), obs.c.at_s.between(low_s, high_s))
        .group_by(obs.c.patient_id, obs.c.at_s)
        .having(highest("SBP").is_not(None), highest("DBP").is_not(None))
    )
    timeline = doses.union_all(pairs).subquery("bp_timeline")
    is_pair = timeline.c.sbp.is_not(None)
    pair = postgresql.array([timeline.c.at_s.cast(Float), timeline.c.sbp, timeline.c.dbp])

    def so_far(aggregate: Any) -> Any:  # rows up to and with the current instant
        return aggregate.over(
            partition_by=timeline.c.patient_id, order_by=timeline.c.at_s, range_=(None, 0)
        )

    passed = select(
        *timeline.c,
        so_far(func.max(pair).filter(is_pair)).label("pre"),
        so_far(func.max(timeline.c.at_s).filter(~is_pair)).label("owner_at"),
    ).subquery("bp_passed")
    p = passed.c
    owned = and_(p.sbp.is_not(None), p.at_s > p.owner_at, p.at_s <= p.owner_at + WINDOW_S)

    def highest_owned(value: Any) -> Any:  # over the pairs the row's owner dose owns
        return func.max(value).filter(owned).over(partition_by=(p.patient_id, p.owner_at))

    windowed = select(
        *passed.c,
        highest_owned(p.sbp).label("post_sbp"),
        highest_owned(p.dbp).label("post_dbp"),
    ).subquery("bp_windowed")
    w = windowed.c
    pre_sbp, pre_dbp = w.pre[2], w.pre[3]
    post_sbp, post_dbp = w.post_sbp, w.post_dbp
    # One CASE, not a conjunction in WHERE: PostgreSQL estimates the ANDed conditions on window
    # results at one row and would then join the index by a nested loop over every checked dose.
    counted = case(
        (
            and_(
                w.sbp.is_(None),
                context.administration_in_period(windowed),
                *context.matches_administration_filters(windowed),
                w.pre[1] >= w.at_s - WINDOW_S,
                w.post_sbp.is_not(None),
            ),
            1,
        ),
        else_=0,
    )
    rise = or_(post_sbp >= pre_sbp + RISE_SBP_MMHG, post_dbp >= pre_dbp + RISE_DBP_MMHG)
    severe = or_(post_sbp >= SEVERE_SBP_MMHG, post_dbp >= SEVERE_DBP_MMHG)
    checked = (
        select(
            w.id,
            w.patient_id,
            w.at_s,
            w.drug,
            w.route,
            index.c.sex,
            index.c.age_band,
            w.record_key,
            w.member_hash,
            literal_column("1").label("checked"),
            case((rise, 1), else_=0).label("rise"),
            case((severe, 1), else_=0).label("severe"),
        )
        .join(index, index.c.patient_id == w.patient_id)
        .where(counted == 1)
    )
    return checked.cte("bp_checked").prefix_with("MATERIALIZED")


def _any(condition: ColumnElement[bool]) -> Any:
    """Return 1 when ``condition`` holds for any row of the group, else 0."""
    return func.max(case((condition, 1), else_=0))

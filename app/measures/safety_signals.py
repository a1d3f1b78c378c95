"""Measure ``safety-signals``: blood pressure around doses, liver tests and the bladder score.

Signals are derived from raw observations, not from adverse events a clinician chose to file.

*Blood pressure*: a pair is an SBP and a DBP of the patient at the same instant (several readings of
one code at one instant: the highest counts). An administration at ``t`` is *checked* when a pair
lies in ``[t − 2 h, t]`` and another in the post-dose window ``(t, t + 2 h]``, which ends just
before the patient's next administration (any drug or route, filtered or not): a reading at the
next dose's instant is that dose's pre-dose reading only. *pre* is the latest pre-dose pair; a
*rise* is a post-dose pair with SBP ≥ pre SBP + 40 or DBP ≥ pre DBP + 25; *severe* is a post-dose
pair with SBP ≥ 180 or DBP ≥ 110. Administrations take drug and route from themselves, sex and
age band from the patient (at index). These flags depend on the patient's rows alone, so the
store keeps them per dose (``app.store.dose_signals``): the measure counts the kept doses of the
period.

*Liver and bladder*: treated patients with an ALT or AST (a BPICSS) in the period at or after their
index instant; positive when ALT > 3 × ``alt-uln`` or AST > 3 × ``ast-uln`` (BPICSS ≥
``bpic-threshold``). One row per patient, strata from the index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
)

from app.measures.aggregate import PopulationSource
from app.measures.cohort import OBSERVATION, PATIENT_FILTERS, MeasureContext
from app.store.dose_signals import DOSE_BP_SIGNAL
from app.store.models import SCREENING_CODES

ULN_MULTIPLE = 3
RAISED: ColumnElement[Any] = literal_column("1")
"""A set 0/1 flag, written out (not bound) so that SQLite uses the partial indexes on it."""


def build_safety_signals(context: MeasureContext) -> dict[str, PopulationSource]:
    """Return the SQL sources of the seven safety-signal populations."""
    parameters = context.query.parameters
    signal = DOSE_BP_SIGNAL.c
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
            "administrations-bp-checked", _checked_administrations(context), "bp_checked"
        ),
        "administrations-bp-rise": record_source(
            "administrations-bp-rise",
            _checked_administrations(context, signal.rise == RAISED),
            "bp_rise",
        ),
        "administrations-severe-bp": record_source(
            "administrations-severe-bp",
            _checked_administrations(context, signal.severe == RAISED),
            "bp_severe",
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
    the index instant, the index row and a 0/1 flag per named condition (some such observation
    meets it).

    One pass over those observations for the four liver and bladder populations: before, each
    population probed (SQLite) or scanned (PostgreSQL) ``observation`` on its own. The index
    columns come along (grouped with the patient, whose one index row they are), so that the
    four populations read this table alone, counted by one shared ``GROUP BY``
    (``app.measures.aggregate.shared_cubes``): joined back to the index, SQLite built an
    automatic index on it for each.
    """
    index = context.index
    obs = OBSERVATION
    return (
        select(
            *index.c,
            *(_any(condition).label(name) for name, condition in conditions.items()),
        )
        .select_from(index.join(obs, obs.c.patient_id == index.c.patient_id))
        .where(
            # Written out, as the predicate of SCREENING_INDEX: so both stores read that index.
            literal_column(f"{obs.name}.code IN {SCREENING_CODES!r}"),
            context.in_period(obs.c.day),
            obs.c.at_s >= index.c.at_s,
        )
        .group_by(*index.c)
        .cte("screened_patients")
        .prefix_with("MATERIALIZED")
    )


def _patients_with(
    context: MeasureContext, population: str, flags: CTE, flag: str
) -> PopulationSource:
    """Return the treated patients whose ``flag`` is set: one row per patient (the index row),
    so the population is additive."""
    return PopulationSource(population, flags, (), True, where=flags.c[flag] == 1)


def _checked_administrations(context: MeasureContext, *conditions: Any) -> Any:
    """Return the checked administrations in the period that match the filters and ``conditions``
    (on ``dose_bp_signal``), with the strata of their patient's index: one row per dose.

    The doses' signals are kept in the store (``app.store.dose_signals``); the index keeps only
    treated patients, and gives sex and age band. A statement per population, not a shared CTE:
    SQLite would write a CTE read three times to a temporary table first.

    Without a sex or age-band filter or stratifier the index is not joined: a dose in the period
    that matches the drug, route and setting filters makes its patient treated by definition
    (as in ``app.measures.administrations``), and drug and route are the dose's own. The doses
    are then counted straight from the kept table, where the join read every treated patient's
    kept rows through the index (~0.45 -> ~0.19 s at 1M on SQLite, loaded machine).
    """
    signal = DOSE_BP_SIGNAL
    columns = [
        signal.c.administration_id.label("id"),
        signal.c.patient_id,
        signal.c.at_s,
        signal.c.drug,
        signal.c.route,
        signal.c.record_key,
        signal.c.member_hash,
    ]
    in_period = [
        context.in_period(signal.c.day),
        *context.matches_administration_filters(signal),
        *conditions,
    ]
    query = context.query
    if not context.has_patient_filter and not any(k in query.stratify for k in PATIENT_FILTERS):
        return select(*columns).where(*in_period)
    index = context.index
    return (
        select(*columns, index.c.sex, index.c.age_band)
        .join(index, index.c.patient_id == signal.c.patient_id)
        .where(*in_period)
    )


def _any(condition: ColumnElement[bool]) -> Any:
    """Return 1 when ``condition`` holds for any row of the group, else 0."""
    return func.max(case((condition, 1), else_=0))

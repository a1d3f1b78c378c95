"""What an answer releases, for disclosure control: strata domains, overlap and sensitivities.

A *release* is one population's group total or one of its stratifier tables. Its L1 sensitivity is
the most one patient can change it: a patient count moves a total by 1 and a table by 1 when its
strata are disjoint, or by the number of strata when a patient can be in several; a record count
is clipped to the bound per patient before counting, so it moves by at most that bound.
"""

from __future__ import annotations

from app.catalogue import PopulationSpec, StratifierSpec, load_catalogue
from app.exchange.query import MeasureQuery
from app.measures.calendar import period_years

Release = tuple[str, str | None]
"""(population, stratifier) — stratifier ``None`` for the group total."""


def stratum_values(spec: StratifierSpec, query: MeasureQuery) -> tuple[str, ...]:
    """Return every value a stratifier can take in ``query``'s answer (years of the period)."""
    if spec.values is None:
        return tuple(str(year) for year in period_years(query.period_start, query.period_end))
    return spec.values


def strata_count(query: MeasureQuery) -> int:
    """Return how many strata a validated ``query``'s answer can hold (from domains, not data)."""
    return sum(
        len(stratum_values(spec.stratifiers[key], query))
        for spec in answered_populations(query)
        for key in applicable_stratifiers(spec, query)
    )


def strata_overlap(query: MeasureQuery) -> dict[str, bool]:
    """Return per requested stratifier whether, in some population, one unit can be in two strata."""
    overlap = dict.fromkeys(query.stratify, False)
    for spec in answered_populations(query):
        for key in applicable_stratifiers(spec, query):
            overlap[key] = overlap[key] or spec.stratifiers[key].overlap
    return overlap


def overlapping_by_population(query: MeasureQuery) -> dict[str, frozenset[str]]:
    """Return per population the requested stratifiers whose strata can overlap in its table."""
    return {
        spec.id: frozenset(
            key for key in applicable_stratifiers(spec, query) if spec.stratifiers[key].overlap
        )
        for spec in answered_populations(query)
    }


def release_sensitivities(
    query: MeasureQuery, *, clip_records_per_patient: int
) -> dict[Release, int]:
    """Return the L1 sensitivity of every release of a validated ``query``'s answer."""
    sensitivities: dict[Release, int] = {}
    for spec in answered_populations(query):
        per_patient = clip_records_per_patient if spec.unit == "record" else 1
        sensitivities[(spec.id, None)] = per_patient
        for key in applicable_stratifiers(spec, query):
            stratifier = spec.stratifiers[key]
            # A record has one value per stratifier, so record tables stay within the clip bound.
            spread = len(stratum_values(stratifier, query)) if stratifier.overlap else 1
            sensitivities[(spec.id, key)] = per_patient * (1 if spec.unit == "record" else spread)
    return sensitivities


def answered_populations(query: MeasureQuery) -> list[PopulationSpec]:
    """Return the populations an answer to a validated ``query`` holds, in catalogue order."""
    definition = load_catalogue()[query.measure]
    return [spec for spec in definition.counted_populations if spec.applies(query.parameters)]


def applicable_stratifiers(spec: PopulationSpec, query: MeasureQuery) -> tuple[str, ...]:
    """Return the requested stratifiers that apply to a population (others give it no rows)."""
    return tuple(key for key in query.stratify if key in spec.stratifiers)

"""Per-country and pooled count intervals, looked up by (population, stratifier, stratum).

``CountryFigures`` holds one node's answer as intervals (``app.disclosure.bounds``); ``PooledFigures``
sums them across the countries that answered. A stratum a node omitted counts as an exact 0 for
that node, but only when the node answered that stratifier for that population; a node that did
not answer the stratifier at all contributes ``[0, upper(total)]`` (a stratum is part of its total),
so a pooled sum is never silently smaller than the truth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from app.catalogue import load_catalogue
from app.disclosure.bounds import Bounded, exact_count, strata_bounds, sum_bounds, total_bounds
from app.exchange.answer import MeasureAnswer

ALL_COUNTRIES = "ALL"


def _union(groups: list[list[str]]) -> list[str]:
    """Return the distinct items of ``groups`` in order of first appearance."""
    return list(dict.fromkeys(item for group in groups for item in group))


class Figures(Protocol):
    """What statistics read: a country's or the pooled count intervals."""

    @property
    def country(self) -> str: ...

    def populations(self) -> list[str]: ...
    def stratifiers(self, population: str) -> list[str]: ...
    def strata_values(self, population: str, stratifier: str) -> list[str]: ...
    def figure(
        self, population: str, stratifier: str | None = None, stratum: str | None = None
    ) -> Bounded | None: ...


@dataclass(frozen=True)
class CountryFigures:
    """One country's count intervals: ``totals[population]``, ``strata[population][s][value]``."""

    country: str
    totals: dict[str, Bounded]
    strata: dict[str, dict[str, dict[str, Bounded]]] = field(default_factory=dict)

    def populations(self) -> list[str]:
        """Return the populations in answer order."""
        return list(self.totals)

    def stratifiers(self, population: str) -> list[str]:
        """Return the stratifiers answered for ``population``."""
        return list(self.strata.get(population, {}))

    def strata_values(self, population: str, stratifier: str) -> list[str]:
        """Return the stratum values reported for ``population`` by ``stratifier``."""
        return list(self.strata.get(population, {}).get(stratifier, {}))

    def figure(
        self, population: str, stratifier: str | None = None, stratum: str | None = None
    ) -> Bounded | None:
        """Return a cell's interval; an omitted stratum of an answered stratifier is exact 0."""
        if population not in self.totals:
            return None
        if stratifier is None:
            return self.totals[population]
        table = self.strata.get(population, {}).get(stratifier)
        if table is None or stratum is None:
            return None
        return table.get(stratum, exact_count(0))


def nested_parents(answer: MeasureAnswer) -> dict[str, str]:
    """Return, per nested population of ``answer``, the nearest population it is a subset of
    that the answer holds (the catalogue's ``population-subset-of``, followed upwards)."""
    measure = answer.measure.split("|", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    definition = load_catalogue().get(measure)
    if definition is None:
        return {}
    direct = {child: parent for child, parent, _ in definition.nesting}
    answered = {result.population for result in answer.populations}
    parents = {}
    for child in answered:
        parent = direct.get(child)
        while parent is not None and parent not in answered:
            parent = direct.get(parent)
        if parent is not None:
            parents[child] = parent
    return parents


def country_figures(answer: MeasureAnswer, country: str) -> CountryFigures:
    """Return the intervals of every cell of ``answer``, labelled with ``country``."""
    parents = nested_parents(answer)
    totals: dict[str, Bounded] = {}
    by_id = {result.population: result for result in answer.populations}

    def total_of(population: str) -> Bounded:
        # Parents first: a child masked as a small complement is bounded by its parent's total.
        if population not in totals:
            result = by_id[population]
            parent = parents.get(population)
            totals[population] = total_bounds(
                result.total,
                answer.policy,
                answer.noise_scale.get(population, 0.0),
                parent=total_of(parent) if parent is not None else None,
            )
        return totals[population]

    strata: dict[str, dict[str, dict[str, Bounded]]] = {}
    for result in answer.populations:
        half_width = answer.noise_scale.get(result.population, 0.0)
        total = total_of(result.population)
        strata[result.population] = {
            stratifier: {
                value: bound.labelled(country)
                for value, bound in strata_bounds(
                    table,
                    total=total,
                    overlap=stratifier in result.overlapping,
                    policy=answer.policy,
                    noise_half_width=half_width,
                ).items()
            }
            for stratifier, table in result.strata.items()
        }
    labelled = {population: bound.labelled(country) for population, bound in totals.items()}
    ordered = {r.population: labelled[r.population] for r in answer.populations}
    return CountryFigures(country=country, totals=ordered, strata=strata)


@dataclass(frozen=True)
class PooledFigures:
    """Sums of the countries' intervals (the ``ALL`` rows)."""

    countries: tuple[CountryFigures, ...]
    country: str = ALL_COUNTRIES
    _unions: dict[tuple[str, ...], tuple[str, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """The unions below, once each: rows and statistics ask them per cell, and each one walks
    every country (O(countries²) per document at 50 nodes otherwise)."""

    def _union_of(self, key: tuple[str, ...], groups: Callable[[], list[list[str]]]) -> list[str]:
        found = self._unions.get(key)
        if found is None:
            found = self._unions[key] = tuple(_union(groups()))
        return list(found)

    def populations(self) -> list[str]:
        """Return the union of the countries' populations."""
        return self._union_of((), lambda: [c.populations() for c in self.countries])

    def stratifiers(self, population: str) -> list[str]:
        """Return the union of the stratifiers any country answered for ``population``."""
        return self._union_of(
            (population,), lambda: [c.stratifiers(population) for c in self.countries]
        )

    def strata_values(self, population: str, stratifier: str) -> list[str]:
        """Return the union of the countries' stratum values."""
        return self._union_of(
            (population, stratifier),
            lambda: [c.strata_values(population, stratifier) for c in self.countries],
        )

    def figure(
        self, population: str, stratifier: str | None = None, stratum: str | None = None
    ) -> Bounded | None:
        """Return the pooled interval of a cell, or None when no country reports it."""
        if stratifier is not None and stratifier not in self.stratifiers(population):
            return None
        parts: list[Bounded] = []
        for country in self.countries:
            total = country.totals.get(population)
            if total is None:
                # Unbounded contribution: refuse a sum rather than give a smaller one.
                return None
            part = country.figure(population, stratifier, stratum)
            if part is None:
                part = Bounded("bounded", None, 0, total.upper, ((country.country, "unreported"),))
            parts.append(part)
        return sum_bounds(parts) if parts else None

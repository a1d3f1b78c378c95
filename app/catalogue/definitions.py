"""What a catalogue measure defines: populations, their stratifiers, filters and parameters.

Plain frozen data read from the FHIR ``Measure`` resources (``parse``); the validator, the node's
evaluation and the hub's checks all read these, never the raw JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PERIOD_YEARS = None
"""Marker for a stratifier whose values are the calendar years of the query period."""


@dataclass(frozen=True)
class StratifierSpec:
    """A stratifier of one population: its values (``None`` = period years) and overlap."""

    id: str
    values: tuple[str, ...] | None
    overlap: bool


@dataclass(frozen=True)
class PopulationSpec:
    """A population: counted unit, applicable stratifiers and an optional parameter condition."""

    id: str
    unit: Literal["patient", "record"]
    stratifiers: dict[str, StratifierSpec]
    condition: tuple[str, str] | None = None
    """``(parameter, value)``: the population is answered only when the parameter has that value
    (``a|b|c``: one of these values)."""
    subset_of: str | None = None
    """The population this one is a subset of in every answer (``population-subset-of``)."""
    nested_strata: frozenset[str] = frozenset()
    """Stratifiers whose strata are subsets of the parent's same strata too."""
    method: Literal["count", "private-set-intersection"] = "count"
    """``count``: each node counts it in its database and answers it in ``$evaluate-measure``;
    ``private-set-intersection``: pairs of nodes count it together (the cross-border overlap)."""

    def applies(self, parameters: dict[str, str | float]) -> bool:
        """Return True when the population is part of an answer with these parameters."""
        if self.condition is None:
            return True
        parameter, wanted = self.condition
        return parameters.get(parameter) in wanted.split("|")


@dataclass(frozen=True)
class ParameterSpec:
    """A measure parameter: value type, whether required, allowed codes and default."""

    name: str
    kind: Literal["code", "decimal"]
    required: bool
    values: tuple[str, ...] = ()
    default: float | None = None


@dataclass(frozen=True)
class MeasureDefinition:
    """One catalogue measure."""

    id: str
    version: str
    populations: tuple[PopulationSpec, ...]
    filters: dict[str, tuple[str, ...]]
    parameters: dict[str, ParameterSpec]

    @property
    def nesting(self) -> tuple[tuple[str, str, frozenset[str]], ...]:
        """Return the declared (child, parent, nested stratifiers) pairs, direct ones only."""
        return tuple((p.id, p.subset_of, p.nested_strata) for p in self.populations if p.subset_of)

    @property
    def stratifiers(self) -> tuple[str, ...]:
        """Return every stratifier a query may ask for, in catalogue order.

        A population counted by private set intersection is reported per node pair; its ``pair``
        is not a stratifier a query asks for.
        """
        seen: dict[str, None] = {}
        for population in self.counted_populations:
            seen.update(dict.fromkeys(population.stratifiers))
        return tuple(seen)

    @property
    def counted_populations(self) -> tuple[PopulationSpec, ...]:
        """Return the populations each node counts itself (answered by ``$evaluate-measure``)."""
        return tuple(p for p in self.populations if p.method == "count")

    @property
    def linked(self) -> bool:
        """Return True when a population is counted between nodes by private set intersection."""
        return any(p.method == "private-set-intersection" for p in self.populations)

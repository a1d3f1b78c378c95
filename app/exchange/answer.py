"""What a node answers and the hub reads: measure answers as tables of (possibly disclosed) counts.

A ``MeasureAnswer`` holds one ``PopulationResult`` per population; each has its group total and,
per requested stratifier, its strata. The node builds it (measures → disclosure),
``exchange.measure_report`` turns it into a FHIR ``MeasureReport`` and back, and the hub pools
parsed answers. Plain data, no framework, no record-level code: both sides may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

CellStatus = Literal["exact", "masked", "rounded", "noised", "perturbed"]
Reason = Literal["small-cell", "complementary", "rounded", "noised", "perturbed"]


@dataclass(frozen=True)
class Cell:
    """One count as published: ``count`` is ``None`` when masked; ``reasons`` says what touched it."""

    count: int | None
    reasons: tuple[Reason, ...] = ()

    @property
    def masked(self) -> bool:
        """Return True when the count is withheld."""
        return self.count is None

    @property
    def status(self) -> CellStatus:
        """Return the row status of the query-output contract for this cell."""
        if self.count is None:
            return "masked"
        if "noised" in self.reasons:
            return "noised"
        if "perturbed" in self.reasons:
            return "perturbed"
        if "rounded" in self.reasons:
            return "rounded"
        return "exact"

    def with_reason(self, reason: Reason, *, count: int | Literal["keep"] | None = "keep") -> Cell:
        """Return a copy with ``reason`` added and, unless ``keep``, the count replaced."""
        new_count = self.count if count == "keep" else count
        reasons = self.reasons if reason in self.reasons else (*self.reasons, reason)
        return replace(self, count=new_count, reasons=reasons)


@dataclass(frozen=True)
class PopulationResult:
    """A population's group total and its one-way strata: ``strata[stratifier][value] -> Cell``."""

    population: str
    total: Cell
    strata: dict[str, dict[str, Cell]] = field(default_factory=dict)
    overlapping: frozenset[str] = frozenset()
    """Stratifiers whose strata can overlap in THIS table (one unit in several strata)."""


@dataclass(frozen=True)
class DisclosurePolicy:
    """The disclosure settings a node applied to an answer (``docs/disclosure.md``)."""

    min_cell: int = 11
    mask_zero: bool = False
    rounding: int = 0
    epsilon: float = 0.0
    perturbation: Literal["cell-key", "none"] = "none"
    """``cell-key``: every shown count is the true count plus a change of at most ``ckm_max``."""
    ckm_max: int = 0


@dataclass(frozen=True)
class MeasureAnswer:
    """A node's answer to one measure query, after disclosure control."""

    measure: str
    version: str
    period_start: date
    period_end: date
    populations: list[PopulationResult]
    policy: DisclosurePolicy = field(default_factory=DisclosurePolicy)
    country: str | None = None
    node_id: str | None = None
    data_as_of: str | None = None
    strata_overlap: dict[str, bool] = field(default_factory=dict)
    """Per stratifier: True when in some population one unit can count in several strata.

    A summary only; bounds use each table's own ``PopulationResult.overlapping``.
    """
    noise_scale: dict[str, float] = field(default_factory=dict)
    """Per population: the half-width of the noise mechanism's 95% interval (noised answers only)."""
    generated_at: str | None = None
    """When the node computed the answer (ISO 8601); a cached answer keeps its first time."""

    def population(self, population_id: str) -> PopulationResult:
        """Return the result for ``population_id``; raises ``KeyError`` when absent."""
        for result in self.populations:
            if result.population == population_id:
                return result
        raise KeyError(population_id)

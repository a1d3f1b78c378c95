"""The shape disclosure steps work on: populations as tables sharing their group totals.

A *table* is one population's group total with one stratifier's strata (``docs/disclosure.md``).
A step is a function from populations to populations; ``map_cells`` applies a per-cell rule to
every total and stratum in a fixed order (populations, total first, then strata in answer order),
which keeps seeded noise reproducible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from app.disclosure.membership import CellRef
from app.exchange.answer import Cell, PopulationResult

Populations = list[PopulationResult]
Step = Callable[[Populations], Populations]
CellRule = Callable[[str, str | None, Cell], Cell]
"""(population, stratifier or None for the total, cell) -> new cell."""


def map_cells(populations: Populations, rule: CellRule) -> Populations:
    """Return ``populations`` with ``rule`` applied to every total and stratum cell."""
    results = []
    for result in populations:
        total = rule(result.population, None, result.total)
        strata = {
            key: {value: rule(result.population, key, cell) for value, cell in table.items()}
            for key, table in result.strata.items()
        }
        results.append(replace(result, total=total, strata=strata))
    return results


def run_steps(populations: Populations, steps: list[Step]) -> Populations:
    """Return ``populations`` after each step in turn (the wrapper chain, innermost first)."""
    for step in steps:
        populations = step(populations)
    return populations


RefRule = Callable[[CellRef, Cell], Cell]
"""((population, stratifier or None, value or None), cell) -> new cell."""


def map_cells_by_ref(populations: Populations, rule: RefRule) -> Populations:
    """Return ``populations`` with ``rule`` applied to every cell, addressed by its ``CellRef``."""
    results = []
    for result in populations:
        total = rule((result.population, None, None), result.total)
        strata = {
            key: {
                value: rule((result.population, key, value), cell) for value, cell in table.items()
            }
            for key, table in result.strata.items()
        }
        results.append(replace(result, total=total, strata=strata))
    return results

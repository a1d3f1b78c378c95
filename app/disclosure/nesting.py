"""Nested populations: within one answer, never publish a child next to a parent it nearly fills.

Responders are a subset of the denominator, ``discontinued`` of ``treated-patients``: publishing
32 treated and 23 discontinued tells anyone that 9 did not stop. For every published pair of a
child and a parent (the catalogue declares the direct pairs; their transitive closure is used), the
child is masked (``complementary``) where the complement is small, for the group totals and, per
stratum, for the stratifiers whose strata nest too (a child's ``drug = ketamine`` stratum is a
subset of the parent's ``drug = ketamine`` stratum only when both take the drug from the same
administration, which the catalogue says).

*Small* is decided on the values as published, like every other mask (deciding on exact values
would leak): the child is masked when ``parent − child < min_cell`` — which under perturbation or
noise includes zero and negative differences — unless parent and child hold exactly the same
members (then the complement is empty; with ``mask_zero`` it is masked too). Without perturbation
or noise the published values are exact and "the same members" is "the same count". Run it after
small-cell masking and before complementary suppression, which then protects the masked child in
its own tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from app.disclosure.cells import Populations
from app.disclosure.membership import CellRef, Memberships
from app.exchange.answer import Cell, PopulationResult


@dataclass(frozen=True)
class Nesting:
    """``child`` ⊆ ``parent`` in every answer; per stratum too for ``stratifiers``."""

    child: str
    parent: str
    stratifiers: frozenset[str] = frozenset()


def nesting_closure(pairs: Iterable[Nesting]) -> list[Nesting]:
    """Return the transitive closure of ``pairs``; strata nest along a chain where all of it does."""
    closure: dict[tuple[str, str], frozenset[str]] = {}
    for pair in pairs:
        key = (pair.child, pair.parent)
        closure[key] = closure.get(key, frozenset()) | pair.stratifiers
    changed = True
    while changed:
        changed = False
        for (child, middle), lower in list(closure.items()):
            for (inner, parent), upper in list(closure.items()):
                if inner != middle or parent == child:
                    continue
                joined = lower & upper
                key = (child, parent)
                if key not in closure or not joined <= closure[key]:
                    closure[key] = closure.get(key, frozenset()) | joined
                    changed = True
    return [Nesting(child, parent, strata) for (child, parent), strata in sorted(closure.items())]


def mask_nested_complements(
    populations: Populations,
    *,
    nesting: Sequence[Nesting],
    min_cell: int,
    mask_zero: bool,
    memberships: Memberships | None = None,
) -> Populations:
    """Return ``populations`` with children masked where a published complement is small.

    ``nesting`` should be closed (``nesting_closure``); ``memberships`` (perturbed or noised
    answers) tell identical members apart from a complement that happens to publish as 0.
    """
    by_id = {result.population: result for result in populations}
    masked: set[CellRef] = set()
    for pair in nesting:
        child, parent = by_id.get(pair.child), by_id.get(pair.parent)
        if child is None or parent is None:
            continue
        cells: list[tuple[CellRef, Cell, Cell, str]] = [
            ((child.population, None, None), child.total, parent.total, parent.population)
        ]
        for key in sorted(pair.stratifiers & child.strata.keys() & parent.strata.keys()):
            for value, cell in child.strata[key].items():
                if value in parent.strata[key]:
                    ref: CellRef = (child.population, key, value)
                    cells.append((ref, cell, parent.strata[key][value], parent.population))
        for ref, child_cell, parent_cell, parent_id in cells:
            parent_ref = (parent_id, ref[1], ref[2])
            if _small_complement(
                ref, child_cell, parent_ref, parent_cell, min_cell, mask_zero, memberships
            ):
                masked.add(ref)
    return [_masked(result, masked) for result in populations]


def _small_complement(
    child_ref: CellRef,
    child: Cell,
    parent_ref: CellRef,
    parent: Cell,
    min_cell: int,
    mask_zero: bool,
    memberships: Memberships | None,
) -> bool:
    if child.count is None or parent.count is None:
        return False  # only a published pair can be subtracted
    if memberships is None:
        same = child.count == parent.count
    else:
        child_member, parent_member = memberships.get(child_ref), memberships.get(parent_ref)
        same = (
            child_member.digest == parent_member.digest
            if child_member is not None and parent_member is not None
            else child_member is None and parent_member is None  # both empty
        )
    if same:
        return mask_zero
    return parent.count - child.count < min_cell


def _masked(result: PopulationResult, masked: set[CellRef]) -> PopulationResult:
    def hide(ref: CellRef, cell: Cell) -> Cell:
        return cell.with_reason("complementary", count=None) if ref in masked else cell

    population = result.population
    return replace(
        result,
        total=hide((population, None, None), result.total),
        strata={
            key: {value: hide((population, key, value), cell) for value, cell in table.items()}
            for key, table in result.strata.items()
        },
    )

"""Refusal of near-duplicates: no cell may differ from a cell released before by 1..min_cell−1.

Differencing needs two published cells whose members differ by a few patients: a filter with and
without one value, periods ending a day apart, the same question before and after a small ingest.
Perturbation alone does not stop it — the unchanged cells of such a pair keep their perturbation,
so the cells that moved point at the few patients who differ (that is how profiling worked) — and
many different pairs of one small difference average the perturbation away. So the node keeps, per
peer, a *sketch* of every cell it released, and before publishing compares each new shown cell with
the released ones of the same kind (patients or records):

- a sketch holds, per bucket ``member_hash mod 32``, the number of members and the sum of their
  secret 32-bit member hashes (both summed by the database beside the counts);
- ``difference_lower_bound`` adds, over buckets, ``|Δ count|`` or, where the counts agree but the
  hash sums do not, 2: never more than the true size of the symmetric difference, and equal to it
  whenever the new cell is a subset or superset of the old one (the differencing case). Equal
  sketches mean the same members (the same perturbation: nothing new is published);
- a cell is a *near-duplicate* when its sketch differs from a released one and the bound is below
  the threshold (``min_cell``). Every true near-duplicate is found; a far pair whose differences
  cancel within buckets may be flagged too (a needless refusal, never a leak).

What happens then (``mask_near_duplicates``): a near-duplicate stratum is masked
(``complementary``) and complementary suppression runs again; so is the group total of a nested
population whose parent is in the answer (the hub bounds it by the parent's total); any other
near-duplicate group total cannot be masked without breaking the hub's bounds, so the node
refuses the whole answer (403). The
refusal or mask says only that some cell differs from an earlier one by fewer than ``min_cell``
members — what a small-cell mask says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.disclosure.cells import Populations, map_cells_by_ref
from app.disclosure.masking import suppress_complementary
from app.disclosure.membership import CellRef
from app.exchange.answer import Cell

SKETCH_BUCKETS = 32


@dataclass(frozen=True)
class CellSketch:
    """Per bucket: number of members and the sum of their member hashes."""

    counts: tuple[int, ...]
    hash_sums: tuple[int, ...]

    @property
    def size(self) -> int:
        """Return the number of members."""
        return sum(self.counts)


def sketch_of(member_hashes: Iterable[int], buckets: int = SKETCH_BUCKETS) -> CellSketch:
    """Return the sketch of a cell whose members have ``member_hashes`` (as the SQL computes it)."""
    counts = [0] * buckets
    sums = [0] * buckets
    for value in member_hashes:
        counts[value % buckets] += 1
        sums[value % buckets] += value
    return CellSketch(tuple(counts), tuple(sums))


def difference_lower_bound(new: CellSketch, old: CellSketch) -> int:
    """Return a lower bound on the size of the symmetric difference of two cells' members."""
    bound = 0
    for count_a, count_b, sum_a, sum_b in zip(
        new.counts, old.counts, new.hash_sums, old.hash_sums, strict=True
    ):
        if count_a != count_b:
            bound += abs(count_a - count_b)
        elif sum_a != sum_b:
            bound += 2  # as many joined as left, at least one of each
    return bound


def is_near_duplicate(new: CellSketch, old: CellSketch, threshold: int) -> bool:
    """Return True when the cells differ, by fewer than ``threshold`` members as far as is known."""
    if new == old or abs(new.size - old.size) >= threshold:
        return False
    return difference_lower_bound(new, old) < threshold


def near_duplicates(
    sketches: Mapping[CellRef, CellSketch],
    released: Mapping[int, Iterable[CellSketch]],
    threshold: int,
) -> set[CellRef]:
    """Return the cells of ``sketches`` that are near-duplicates of a released sketch.

    ``released`` maps a member count to the released sketches of that size (the caller fetches
    sizes within ``threshold`` of each new cell).
    """
    found = set()
    for ref, sketch in sketches.items():
        for size in range(sketch.size - threshold + 1, sketch.size + threshold):
            if any(is_near_duplicate(sketch, old, threshold) for old in released.get(size, ())):
                found.add(ref)
                break
    return found


def mask_near_duplicates(
    populations: Populations, near: set[CellRef], nested: frozenset[str] = frozenset()
) -> Populations:
    """Return ``populations`` with near-duplicate strata masked, then complementary suppression.

    Totals in ``near`` are masked only for the ``nested`` populations (whose parent is in the
    answer); other totals are left as they are: the caller refuses such an answer.
    """

    def rule(ref: CellRef, cell: Cell) -> Cell:
        maskable = ref[1] is not None or ref[0] in nested
        if ref in near and maskable and cell.count is not None:
            return cell.with_reason("complementary", count=None)
        return cell

    return suppress_complementary(map_cells_by_ref(populations, rule))


def shown_cells(populations: Populations) -> list[CellRef]:
    """Return the references of every shown (unmasked) cell."""
    refs: list[CellRef] = []
    for result in populations:
        if result.total.count is not None:
            refs.append((result.population, None, None))
        for key, table in result.strata.items():
            refs.extend(
                (result.population, key, value)
                for value, cell in table.items()
                if cell.count is not None
            )
    return refs


def partial_value_lists(
    filters: Mapping[str, Iterable[str]], domains: Mapping[str, Iterable[str]]
) -> tuple[str, ...]:
    """Return the filter keys that list several values but not every value of their domain.

    Such a filter makes a cohort the lattice of single values does not have (``drug = ketamine,
    esketamine`` is "all but arketamine"): with them an analyst can ask hundreds of overlapping
    cohorts and reconstruct small cells from the perturbed answers. A policy that refuses them
    answers only the lattice "one value or every value" per filter, where every cell has one
    published value, and reaching a small cell by subtraction needs the other small cells
    around it, which are masked.
    """
    partial = []
    for key, values in filters.items():
        chosen, domain = set(values), set(domains.get(key, ()))
        if 1 < len(chosen) < len(domain):
            partial.append(key)
    return tuple(partial)

"""Cell-key perturbation: the same patients always get the same small, zero-mean change.

The method of the Australian Bureau of Statistics' TableBuilder and of the 2021 census outputs of
England and Wales. Every patient (and every record) carries a secret *record key* in 0..255; a
cell's key is the sum of its members' record keys modulo 256 (``cell_key``), so it depends only on
*which* patients are in the cell, never on how the question was phrased. The published count is
``n + p`` where ``p = table.perturbation(n, cell key)`` is looked up in a fixed *perturbation table*.

How the table is built (``perturbation_table``), row by row for each true count ``n``:

- a row is a distribution over ``p`` written as 256 integers (one ``p`` per cell key), so every
  property below holds *exactly* over the 256 keys, not just approximately;
- ``|p| ≤ h(n)`` where the half-width ``h(n) = min(n, ckm_max)``, and from ``utility_floor`` (50)
  on also ``h(n) ≤ ⌊utility_tolerance × n⌋`` (5%): a count of 50 or more is never moved by more
  than 5% (``n + p ≥ 0`` follows from ``h(n) ≤ n``);
- the row is symmetric (hence zero mean per count): the same number ``u`` of keys for every
  ``p ≠ 0`` in ``[−h, h]``, the rest on ``p = 0``; ``u`` is the integer that brings the row's
  variance ``u·h(h+1)(2h+1)/(3·256)`` closest to the configured variance, within what a row of
  that width allows (``u ≤ 128/h``), so rows of full width have the configured variance up to the
  granularity of 256 keys, and narrower rows (small counts, 50–59) have less;
- keys map to ``p`` in blocks in increasing order of ``p`` (keys are uniform, so the order does
  not matter for the distribution); rows stop at ``cap`` and the cap row serves every larger count.

Reading of the contract's "never a positive count below ``min_cell``": the table keeps zero mean
and ``|p| ≤ ckm_max`` for every count, so it may move a true 8 to 11 or a true 12 to 9; what
guarantees the rule is the order of the chain — small-cell and complementary suppression are
applied to the *perturbed* values, so a published positive count is always ≥ ``min_cell``, and a
masked cell says only that its perturbed value was small. The hub's bounds therefore widen by
``ckm_max``: shown ``v`` → ``[max(0, v − ckm_max), v + ckm_max]``; masked as small →
``[0, min_cell − 1 + ckm_max]``; they always contain the truth.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from app.disclosure.cells import Populations, map_cells_by_ref
from app.disclosure.membership import KEY_SPACE, CellRef, Memberships, membership_of
from app.exchange.answer import Cell

DEFAULT_CKM_MAX = 3
DEFAULT_VARIANCE = 4.0
UTILITY_FLOOR = 50
UTILITY_TOLERANCE = 0.05


def cell_key(record_keys: Iterable[int]) -> int:
    """Return the cell key of a cell whose members have ``record_keys``: their sum modulo 256."""
    return sum(record_keys) % KEY_SPACE


@dataclass(frozen=True)
class PerturbationTable:
    """A perturbation table: ``rows[n][key]`` is the change to a true count ``n`` (``n ≤ cap``)."""

    ckm_max: int
    variance: float
    rows: tuple[tuple[int, ...], ...]

    @property
    def cap(self) -> int:
        """Return the last row; every larger count uses it."""
        return len(self.rows) - 1

    def perturbation(self, count: int, key: int) -> int:
        """Return ``p`` for a cell of true ``count ≥ 0`` and cell ``key`` in 0..255."""
        if count < 0 or not 0 <= key < KEY_SPACE:
            raise ValueError(f"no perturbation for count {count}, key {key}")
        return self.rows[min(count, self.cap)][key]

    def perturbed(self, count: int, key: int) -> int:
        """Return the published value ``count + p`` (never negative)."""
        return count + self.perturbation(count, key)


def half_width(
    count: int,
    *,
    ckm_max: int = DEFAULT_CKM_MAX,
    utility_floor: int = UTILITY_FLOOR,
    utility_tolerance: float = UTILITY_TOLERANCE,
) -> int:
    """Return the largest ``|p|`` the table allows for a true ``count``."""
    width = min(count, ckm_max)
    if count >= utility_floor:
        # The decimal tolerance as written (0.05 → 1/20), so 5% of 60 is exactly 3.
        width = min(width, math.floor(Fraction(repr(utility_tolerance)) * count))
    return width


def row_distribution(width: int, variance: float) -> dict[int, int]:
    """Return a symmetric row of half-width ``width`` as ``{p: number of keys}`` (sums to 256)."""
    if width == 0:
        return {0: KEY_SPACE}
    # Σ_{j=1..h} j² = h(h+1)(2h+1)/6, and each p ≠ 0 holds u keys: var = 2u·Σj²/256.
    squares = width * (width + 1) * (2 * width + 1) // 6
    most = KEY_SPACE // (2 * width)
    wanted = variance * KEY_SPACE / (2 * squares)
    per_value = max(0, min(most, round(wanted)))
    counts = {p: per_value for p in range(-width, width + 1) if p != 0}
    counts[0] = KEY_SPACE - 2 * width * per_value
    return dict(sorted(counts.items()))


def row_variance(row: Iterable[int]) -> float:
    """Return the variance of ``p`` over the keys of one row (its mean is 0)."""
    values = list(row)
    return sum(p * p for p in values) / len(values)


@functools.cache
def perturbation_table(
    *,
    ckm_max: int = DEFAULT_CKM_MAX,
    variance: float = DEFAULT_VARIANCE,
    utility_floor: int = UTILITY_FLOOR,
    utility_tolerance: float = UTILITY_TOLERANCE,
) -> PerturbationTable:
    """Return the perturbation table for ``ckm_max`` and ``variance`` (built once, then cached).

    Raises ``ValueError`` for ``ckm_max < 1`` or ``variance ≤ 0``.
    """
    if ckm_max < 1 or variance <= 0:
        raise ValueError("the perturbation table needs ckm_max ≥ 1 and a variance > 0")
    cap = utility_floor
    while half_width(
        cap, ckm_max=ckm_max, utility_floor=utility_floor, utility_tolerance=utility_tolerance
    ) < min(cap, ckm_max):
        cap += 1
    rows = []
    for count in range(cap + 1):
        width = half_width(
            count,
            ckm_max=ckm_max,
            utility_floor=utility_floor,
            utility_tolerance=utility_tolerance,
        )
        distribution = row_distribution(width, variance)
        rows.append(tuple(p for p, keys in distribution.items() for _ in range(keys)))
    return PerturbationTable(ckm_max=ckm_max, variance=variance, rows=tuple(rows))


def perturb_cells(
    populations: Populations, *, memberships: Memberships, table: PerturbationTable
) -> Populations:
    """Return ``populations`` with every shown count perturbed by its cell key, labelled.

    A cell is labelled ``perturbed`` even when its ``p`` is 0: an unlabelled count would tell the
    reader it is exact. Raises ``ValueError`` when a cell with members has no membership.
    """

    def rule(ref: CellRef, cell: Cell) -> Cell:
        if cell.count is None:
            return cell
        membership = membership_of(memberships, ref, cell.count)
        return cell.with_reason("perturbed", count=table.perturbed(cell.count, membership.key))

    return map_cells_by_ref(populations, rule)

"""Intervals for the true counts behind disclosure-controlled cells (``docs/disclosure.md``, "Bounds").

Per published cell:

- exact ``n`` → ``[n, n]``;
- masked for ``small-cell`` → ``[1, min_cell − 1]`` (``[0, min_cell − 1]`` with ``mask_zero``);
- any other masked stratum (``complementary``) → ``[0, total − sum of the shown strata]``, or
  ``[0, total]`` when the total is masked or the stratifier's strata overlap;
- a masked total is small-cell (a shared total is masked only when small itself), or, for a
  population nested in another (``population-subset-of``), ``complementary`` when its published
  complement was small → ``[0, upper(parent's total)]``;
- rounded ``r`` with base ``b`` → ``[max(0, r − ⌊b/2⌋), r + ⌊b/2⌋]``;
- perturbed ``p`` (cell-key, bound ``ckm_max``) → ``[max(0, p − ckm_max), p + ckm_max]``; masked
  as small after perturbation → ``[1, min_cell − 1 + ckm_max]`` (``[0, …]`` with ``mask_zero``):
  masking was decided on the perturbed value;
- noised ``c`` with the mechanism's 95% half-width ``h`` → ``[max(0, ⌊c − h⌋), ⌈c + h⌉]``.

Combinations: a masked cell ignores a ``rounded`` label (only shown counts are rounded). With noise,
masking was decided on noisy values, so the small-cell interval is widened by ``h`` on both sides;
a shown cell both noised and rounded is widened by ``h + ⌊b/2⌋``. When shown strata or the total
are themselves rounded or noised, the complementary upper end is ``upper(total) − Σ lower(shown)``,
which equals the contract's formula on exact counts. Noised intervals hold with 95% probability
per cell, not with certainty. Sums of intervals (pooled rows) are exact only when every part is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from app.exchange.answer import Cell, DisclosurePolicy, MeasureAnswer

BoundStatus = Literal["exact", "masked", "rounded", "noised", "perturbed", "bounded"]


@dataclass(frozen=True)
class Bounded:
    """A count as published (status, count) with an integer interval holding its true value."""

    status: BoundStatus
    count: int | None
    lower: int
    upper: int
    inexact: tuple[tuple[str, str], ...] = ()
    """``(country, status)`` of every input that was not exact (filled by ``labelled``/sums)."""

    @property
    def exact(self) -> bool:
        """Return True when the count is known exactly."""
        return self.status == "exact"

    @property
    def estimate(self) -> int | None:
        """Return a point estimate of the true count: exact, or perturbed (zero-mean), else None.

        A perturbed count is the truth plus a change of mean zero, so it (and a sum of such)
        estimates the truth without bias; a rounded, noised-and-clamped or masked one does not.
        """
        return self.count if self.status in ("exact", "perturbed") else None

    def labelled(self, country: str) -> Bounded:
        """Return a copy that remembers ``country`` as the source when the count is not exact."""
        inexact = () if self.exact else ((country, self.status),)
        return Bounded(self.status, self.count, self.lower, self.upper, inexact)


def exact_count(count: int) -> Bounded:
    """Return the interval of a count known exactly."""
    return Bounded("exact", count, count, count)


def _widened(low: float, high: float) -> tuple[int, int]:
    """Return ``[low, high]`` rounded outward to integers and floored at 0."""
    return max(0, math.floor(low)), max(0, math.ceil(high))


def small_cell_bounds(policy: DisclosurePolicy, noise_half_width: float = 0.0) -> tuple[int, int]:
    """Return the interval of a cell masked as small (widened by noise or perturbation if any).

    Under perturbation a true 0 is always published as 0, so a cell masked as small still holds
    at least one member unless zeros are masked too.
    """
    low = 0 if policy.mask_zero else 1
    high = max(low, policy.min_cell - 1)
    if policy.perturbation == "cell-key":
        high += policy.ckm_max
    return _widened(low - noise_half_width, high + noise_half_width)


def shown_bounds(cell: Cell, policy: DisclosurePolicy, noise_half_width: float) -> Bounded:
    """Return the interval of a cell whose count is shown (exact, rounded and/or noised)."""
    count = cell.count
    if count is None:
        raise ValueError("shown_bounds needs a shown count")
    half = 0.0
    if "rounded" in cell.reasons:
        half += policy.rounding // 2
    if "perturbed" in cell.reasons:
        half += policy.ckm_max
    if "noised" in cell.reasons:
        half += noise_half_width
    if half == 0.0:
        return Bounded(cell.status, count, count, count)
    low, high = _widened(count - half, count + half)
    return Bounded(cell.status, count, low, high)


def total_bounds(
    cell: Cell,
    policy: DisclosurePolicy,
    noise_half_width: float = 0.0,
    *,
    parent: Bounded | None = None,
) -> Bounded:
    """Return the interval of a population's group total.

    ``parent`` is the interval of the total of the population this one is nested in; a total
    masked as a small complement needs it (raises ``ValueError`` without).
    """
    if cell.count is not None:
        return shown_bounds(cell, policy, noise_half_width)
    if "small-cell" not in cell.reasons:
        if parent is None:
            raise ValueError("a total masked as a complement needs its parent's interval")
        return Bounded("masked", None, 0, parent.upper)
    low, high = small_cell_bounds(policy, noise_half_width)
    return Bounded("masked", None, low, high)


def strata_bounds(
    strata: Mapping[str, Cell],
    *,
    total: Bounded,
    overlap: bool,
    policy: DisclosurePolicy,
    noise_half_width: float = 0.0,
) -> dict[str, Bounded]:
    """Return the interval of every stratum of one table (one population, one stratifier)."""
    shown = {
        value: shown_bounds(cell, policy, noise_half_width)
        for value, cell in strata.items()
        if cell.count is not None
    }
    if total.status == "masked" or overlap:
        complementary_high = total.upper
    else:
        complementary_high = max(0, total.upper - sum(b.lower for b in shown.values()))
    result: dict[str, Bounded] = {}
    for value, cell in strata.items():
        if value in shown:
            result[value] = shown[value]
        elif "small-cell" in cell.reasons:
            result[value] = Bounded("masked", None, *small_cell_bounds(policy, noise_half_width))
        else:
            result[value] = Bounded("masked", None, 0, complementary_high)
    return result


def sum_bounds(parts: Iterable[Bounded]) -> Bounded:
    """Return the sum of intervals: exact when every part is; ``perturbed`` (the sum of the
    published counts as its estimate) when every part is exact or perturbed; else ``bounded``
    with summed ends and no count."""
    items = list(parts)
    inexact = tuple(label for part in items for label in part.inexact)
    lower = sum(part.lower for part in items)
    upper = sum(part.upper for part in items)
    if all(part.exact for part in items):
        return Bounded("exact", lower, lower, upper, inexact)
    estimates = [part.estimate for part in items]
    if all(estimate is not None for estimate in estimates):
        return Bounded(
            "perturbed", sum(e for e in estimates if e is not None), lower, upper, inexact
        )
    return Bounded("bounded", None, lower, upper, inexact)


def disclosure_problem(
    answer: MeasureAnswer, parents: Mapping[str, str] | None = None
) -> str | None:
    """Return why an answer's disclosure labels cannot be turned into bounds, or None when fine.

    ``parents`` maps a nested population to the one it is a subset of (the catalogue's
    ``population-subset-of``); only such a population's total may be masked as a complement.
    """
    answered = {result.population for result in answer.populations}
    for result in answer.populations:
        cells = [result.total, *(c for table in result.strata.values() for c in table.values())]
        # A noisy count may fall below zero; any other negative count is a broken report.
        if any(c.count is not None and c.count < 0 and "noised" not in c.reasons for c in cells):
            return f"population {result.population}: negative count"
        if result.total.count is None and "small-cell" not in result.total.reasons:
            parent = (parents or {}).get(result.population)
            if parent is None or parent not in answered:
                return f"population {result.population}: total masked without the small-cell reason"
        shown = [cell for cell in cells if cell.count is not None]
        if any("noised" in c.reasons for c in shown) and result.population not in (
            answer.noise_scale
        ):
            return f"population {result.population}: noised counts without a noise scale"
        if any("rounded" in c.reasons for c in shown) and answer.policy.rounding <= 0:
            return f"population {result.population}: rounded counts without a rounding base"
        if any("perturbed" in c.reasons for c in shown) and (
            answer.policy.perturbation != "cell-key" or answer.policy.ckm_max < 1
        ):
            return f"population {result.population}: perturbed counts without a perturbation bound"
    return None

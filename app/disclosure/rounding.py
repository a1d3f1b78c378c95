"""Rounding of shown counts to a base (``docs/disclosure.md``).

Every shown count is rounded to the nearest multiple of the base, halves upwards, in integer
arithmetic, and labelled ``rounded`` even when unchanged: an unlabelled 10 would tell the reader
that this one count is exact.
"""

from __future__ import annotations

from app.disclosure.cells import Populations, map_cells
from app.exchange.answer import Cell


def round_to_base(count: int, base: int) -> int:
    """Return ``count`` rounded to the nearest multiple of ``base`` (halves up)."""
    return (count + base // 2) // base * base


def round_counts(populations: Populations, *, base: int) -> Populations:
    """Return ``populations`` with every shown count rounded to ``base`` and labelled."""

    def rule(_population: str, _stratifier: str | None, cell: Cell) -> Cell:
        if cell.count is None:
            return cell
        return cell.with_reason("rounded", count=round_to_base(cell.count, base))

    return map_cells(populations, rule)

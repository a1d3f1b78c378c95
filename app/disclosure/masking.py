"""Small-cell masking and complementary suppression (``docs/disclosure.md``).

``mask_small_cells`` withholds every count ``0 < n < min_cell`` (and zeros with ``mask_zero``).
``suppress_complementary`` then makes sure no withheld stratum can be recovered by subtraction
within its table: while a table shows its total and exactly one masked stratum, or hides its total
and shows every stratum, the smallest shown stratum is withheld too. Totals are shared by several
tables and are withheld only when small themselves. Every table is treated as additive, even when
its strata may overlap (conservative).
"""

from __future__ import annotations

from dataclasses import replace

from app.disclosure.cells import Populations, map_cells
from app.exchange.answer import Cell


def mask_small_cells(populations: Populations, *, min_cell: int, mask_zero: bool) -> Populations:
    """Return ``populations`` with small counts withheld and labelled ``small-cell``."""

    def rule(_population: str, _stratifier: str | None, cell: Cell) -> Cell:
        if cell.count is None:
            return cell
        if 0 < cell.count < min_cell or (mask_zero and cell.count == 0):
            return cell.with_reason("small-cell", count=None)
        return cell

    return map_cells(populations, rule)


def suppress_complementary(populations: Populations) -> Populations:
    """Return ``populations`` where no masked cell is derivable from its table by subtraction."""
    return [
        replace(
            result,
            strata={
                key: suppress_table(result.total, table) for key, table in result.strata.items()
            },
        )
        for result in populations
    ]


def suppress_table(total: Cell, strata: dict[str, Cell]) -> dict[str, Cell]:
    """Return one table's strata with complementary cells withheld (the total stays as it is)."""
    cells = dict(strata)
    while True:
        masked = sum(cell.masked for cell in cells.values())
        shown = [value for value, cell in cells.items() if not cell.masked]
        recoverable = (masked == 1) if not total.masked else (masked == 0)
        # Each pass withholds one more stratum, so the loop ends after at most len(strata) passes.
        if not recoverable or not shown:
            return cells
        smallest = min(shown, key=lambda value: (cells[value].count, value))
        cells[smallest] = cells[smallest].with_reason("complementary", count=None)

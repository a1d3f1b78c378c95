"""What the node knows about *who* is in each cell — secret material that never leaves the node.

The database returns, beside each count, two sums over the cell's members (patients, or records
for record populations): the sum of their secret record keys (0..255) and the sum of their secret
32-bit member hashes. From them a cell has

- a **cell key** (sum of record keys mod 256), which picks its perturbation;
- a **digest** (count, key sum, hash sum), which names its set of members: two cells with the same
  digest hold the same members with overwhelming probability (a chance collision needs the count,
  the key sum and a 32-bit hash sum to agree), whatever query produced them. Keyed noise is seeded
  by it, and the privacy ledger uses it to tell a re-released cell from a new one.

Cells are addressed by ``CellRef``: (population, stratifier or None for the total, value or None).
Disclosure steps receive memberships beside the populations, never inside the published ``Cell``,
so no serialiser of an answer can leak them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

KEY_SPACE = 256
"""Record and cell keys live in 0..255."""

CellRef = tuple[str, str | None, str | None]
"""(population, stratifier or None for the group total, stratum value or None)."""


@dataclass(frozen=True)
class CellMembership:
    """Sums over one cell's members: ``count``, record-key sum and member-hash sum."""

    count: int
    key_sum: int
    hash_sum: int

    @property
    def key(self) -> int:
        """Return the cell key in 0..255."""
        return self.key_sum % KEY_SPACE

    @property
    def digest(self) -> tuple[int, int, int]:
        """Return the set digest: equal digests mean the same members."""
        return (self.count, self.key_sum % KEY_SPACE, self.hash_sum)


EMPTY = CellMembership(0, 0, 0)
"""The membership of an empty cell (zero-filled strata the database returned no row for)."""

Memberships = Mapping[CellRef, CellMembership]


def membership_of(memberships: Memberships, ref: CellRef, count: int) -> CellMembership:
    """Return the membership of ``ref``; an absent one is empty when ``count`` is 0.

    Raises ``ValueError`` when a cell with members has no membership (a wiring error: the SQL and
    the counts must come from one statement).
    """
    found = memberships.get(ref)
    if found is not None:
        if found.count != count:
            raise ValueError(f"cell {ref}: membership counts {found.count}, the cell {count}")
        return found
    if count == 0:
        return EMPTY
    raise ValueError(f"cell {ref}: no membership for a count of {count}")

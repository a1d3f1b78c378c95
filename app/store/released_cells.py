"""The cells a node released, per peer and analyst: for keyed noise and the near-duplicate check.

One row per cell released to a (requester, analyst): its population, unit, member count, key and
hash sums, the noise scale it was drawn at ("" when not noised), whether it was shown, when, and
its membership sketch (per bucket: member count and member-hash sum). Rows older than the window
(365 days) no longer count; ``forget_released_before`` deletes them.

- Keyed noise asks ``released_identities``: which of an answer's cells this analyst, or anyone of
  the peer, was given before (a re-release costs no ε).
- The near-duplicate check asks ``released_sketches``: the sketches of the cells shown to the
  peer (any analyst) whose member counts are within the threshold of a new cell's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import orjson
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    insert,
    or_,
    select,
)

WINDOW_S = 365 * 86_400
"""Budgets and the near-duplicate check look back this far (a rolling year)."""

released_cell_table = Table(
    "released_cell",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("requester", String(200), nullable=False),
    Column("analyst", String(200), nullable=False),
    Column("population", String(100), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("member_count", BigInteger, nullable=False),
    Column("key_sum", Integer, nullable=False),
    Column("hash_sum", BigInteger, nullable=False),
    Column("scale", String(64), nullable=False),
    Column("shown", Boolean, nullable=False),
    Column("released_at", BigInteger, nullable=False),
    Column("sketch", Text, nullable=False),
    Index("ix_released_cell_sizes", "requester", "unit", "member_count"),
    Index("ix_released_cell_identity", "requester", "population", "member_count", "hash_sum"),
)
"""Cells released per (requester, analyst); ``key_sum`` is kept modulo 256."""


@dataclass(frozen=True)
class ReleasedRow:
    """One released cell as stored."""

    population: str
    unit: str
    member_count: int
    key_sum: int
    hash_sum: int
    scale: str
    shown: bool
    sketch_counts: tuple[int, ...]
    sketch_sums: tuple[int, ...]

    @property
    def identity(self) -> tuple[str, int, int, int, str]:
        """Return what makes a re-release: population, members and scale."""
        return (self.population, self.member_count, self.key_sum, self.hash_sum, self.scale)


def record_released(
    connection: Connection,
    *,
    requester: str,
    analyst: str,
    cells: Iterable[ReleasedRow],
    now_s: int,
) -> None:
    """Store released cells (the caller's transaction; the caller passes only new ones)."""
    rows = [
        {
            "requester": requester,
            "analyst": analyst,
            "population": cell.population,
            "unit": cell.unit,
            "member_count": cell.member_count,
            "key_sum": cell.key_sum,
            "hash_sum": cell.hash_sum,
            "scale": cell.scale,
            "shown": cell.shown,
            "released_at": now_s,
            "sketch": orjson.dumps([cell.sketch_counts, cell.sketch_sums]).decode(),
        }
        for cell in cells
    ]
    if rows:
        connection.execute(insert(released_cell_table), rows)


def released_identities(
    connection: Connection,
    *,
    requester: str,
    analyst: str | None,
    cells: Sequence[ReleasedRow],
    now_s: int,
) -> set[tuple[str, int, int, int, str]]:
    """Return the identities among ``cells`` released in the window to the analyst (None: anyone)."""
    if not cells:
        return set()
    table = released_cell_table
    wanted = {cell.identity for cell in cells}
    conditions = [
        table.c.requester == requester,
        table.c.released_at > now_s - WINDOW_S,
        or_(
            *(
                and_(table.c.population == population, table.c.member_count == count)
                for population, count in {(c.population, c.member_count) for c in cells}
            )
        ),
    ]
    if analyst is not None:
        conditions.append(table.c.analyst == analyst)
    found = connection.execute(
        select(
            table.c.population,
            table.c.member_count,
            table.c.key_sum,
            table.c.hash_sum,
            table.c.scale,
        ).where(*conditions)
    )
    return {tuple(row) for row in found} & wanted  # type: ignore[misc]


def released_sketches(
    connection: Connection,
    *,
    requester: str,
    unit: str,
    counts: Iterable[int],
    threshold: int,
    now_s: int,
) -> dict[int, list[tuple[tuple[int, ...], tuple[int, ...]]]]:
    """Return, by member count, the sketches shown to ``requester`` within ``threshold`` of ``counts``."""
    sizes = sorted(set(counts))
    if not sizes:
        return {}
    table = released_cell_table
    ranges = or_(
        *(
            table.c.member_count.between(size - threshold + 1, size + threshold - 1)
            for size in sizes
        )
    )
    found = connection.execute(
        select(table.c.member_count, table.c.sketch).where(
            table.c.requester == requester,
            table.c.unit == unit,
            table.c.shown.is_(True),
            table.c.released_at > now_s - WINDOW_S,
            ranges,
        )
    )
    sketches: dict[int, list[tuple[tuple[int, ...], tuple[int, ...]]]] = {}
    for count, sketch in found:
        bucket_counts, bucket_sums = orjson.loads(sketch)
        sketches.setdefault(int(count), []).append((tuple(bucket_counts), tuple(bucket_sums)))
    return sketches


def forget_released_before(connection: Connection, *, before_s: int) -> int:
    """Delete released cells older than ``before_s``; return how many."""
    result = connection.execute(
        delete(released_cell_table).where(released_cell_table.c.released_at < before_s)
    )
    return int(result.rowcount or 0)

"""What the node remembers of the cells it released, and what it does with that memory.

Glue between the pure disclosure arithmetic (``app.disclosure``) and the store's tables
(``app.store.released_cells``, ``app.store.privacy_ledger``), for ``app.node.answers``:

- ``cell_material``: the SQL bucket sums of every cell turned into its membership (cell key,
  digest) and sketch;
- ``mask_or_refuse_near_duplicates``: the near-duplicate check against the cells shown to the
  same peer in the last 365 days — strata masked, an answer with a near-duplicate total refused;
- ``charge_and_record``: keyed noise is charged for the releases new to the analyst (and to the
  peer), and every released cell new to the analyst is remembered.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from sqlalchemy import Connection

from app.config import DisclosureSection
from app.disclosure.cells import Populations
from app.disclosure.differencing import (
    SKETCH_BUCKETS,
    CellSketch,
    mask_near_duplicates,
    near_duplicates,
    shown_cells,
)
from app.disclosure.keyed_noise import ReleasedCell, release_cost, released_cells
from app.disclosure.membership import CellMembership, CellRef
from app.disclosure.noise import Release
from app.errors import PolicyRefusal
from app.measures import BucketSums
from app.store.privacy_ledger import charge_in_window
from app.store.released_cells import (
    ReleasedRow,
    record_released,
    released_identities,
    released_sketches,
)

EMPTY_SKETCH = CellSketch((0,) * SKETCH_BUCKETS, (0,) * SKETCH_BUCKETS)


def cell_material(
    sums: Mapping[CellRef, list[BucketSums]],
) -> tuple[dict[CellRef, CellMembership], dict[CellRef, CellSketch]]:
    """Return every cell's membership and sketch from its bucket sums."""
    memberships, sketches = {}, {}
    for ref, buckets in sums.items():
        counts = [0] * SKETCH_BUCKETS
        hashes = [0] * SKETCH_BUCKETS
        for bucket in buckets:
            counts[bucket.bucket] += bucket.members
            hashes[bucket.bucket] += bucket.hash_sum
        memberships[ref] = CellMembership(
            count=sum(counts), key_sum=sum(b.key_sum for b in buckets), hash_sum=sum(hashes)
        )
        sketches[ref] = CellSketch(tuple(counts), tuple(hashes))
    return memberships, sketches


def mask_or_refuse_near_duplicates(
    connection: Connection,
    populations: Populations,
    *,
    sketches: Mapping[CellRef, CellSketch],
    units: Mapping[str, str],
    requester: str,
    threshold: int,
    now_s: int,
    nested: frozenset[str] = frozenset(),
) -> Populations:
    """Return ``populations`` with near-duplicate strata masked; raises ``PolicyRefusal`` (403)
    when a group total is a near-duplicate of a cell shown to the peer before, unless it is the
    total of a ``nested`` population (its parent in the answer bounds it): that one is masked."""
    near: set[CellRef] = set()
    for unit in sorted(set(units.values())):
        shown = {
            ref: sketches.get(ref, EMPTY_SKETCH)
            for ref in shown_cells(populations)
            if units[ref[0]] == unit
        }
        stored = released_sketches(
            connection,
            requester=requester,
            unit=unit,
            counts=[sketch.size for sketch in shown.values()],
            threshold=threshold,
            now_s=now_s,
        )
        released = {
            size: [CellSketch(counts, sums) for counts, sums in found]
            for size, found in stored.items()
        }
        near |= near_duplicates(shown, released, threshold)
    if any(stratifier is None and population not in nested for population, stratifier, _ in near):
        # The refusal says what a small-cell mask says: some group differs by a few members.
        raise PolicyRefusal(
            "disclosure: a group total of this answer differs from one already given to this "
            f"peer by fewer than min-cell ({threshold}) members; ask a wider question"
        )
    return mask_near_duplicates(populations, near, nested) if near else populations


def scale_text(scale: Fraction | None) -> str:
    """Return the stored form of a noise scale ("" for cells that were not noised)."""
    return "" if scale is None else f"{scale.numerator}/{scale.denominator}"


def charge_and_record(
    connection: Connection,
    *,
    exact: Populations,
    published: Populations,
    memberships: Mapping[CellRef, CellMembership],
    sketches: Mapping[CellRef, CellSketch],
    units: Mapping[str, str],
    requester: str,
    analyst: str,
    settings: DisclosureSection,
    sensitivities: Mapping[Release, int] | None,
    scale: Fraction | None,
    now_s: int,
) -> None:
    """Charge keyed noise for new releases and remember the cells released to the analyst.

    Raises ``BudgetExhausted`` (429) when the analyst's or the peer's budget cannot pay.
    """
    shown = set(shown_cells(published))
    refs: dict[CellRef, ReleasedRow] = {}
    # A noised answer releases every cell (a mask is a function of its noisy value); otherwise
    # only the shown cells are out.
    candidates = _all_cells(exact) if scale is not None else sorted(shown, key=str)
    for ref in candidates:
        member = memberships.get(ref, CellMembership(0, 0, 0))
        sketch = sketches.get(ref, EMPTY_SKETCH)
        refs[ref] = ReleasedRow(
            population=ref[0],
            unit=units[ref[0]],
            member_count=member.count,
            key_sum=member.key,
            hash_sum=member.hash_sum,
            scale=scale_text(scale),
            shown=ref in shown,
            sketch_counts=sketch.counts,
            sketch_sums=sketch.hash_sums,
        )
    rows = list(refs.values())
    to_analyst = released_identities(
        connection, requester=requester, analyst=analyst, cells=rows, now_s=now_s
    )
    if scale is not None and sensitivities is not None:
        to_peer = released_identities(
            connection, requester=requester, analyst=None, cells=rows, now_s=now_s
        )
        releases = released_cells(exact, memberships=memberships, scale=scale)

        def before(identities: set[tuple[str, int, int, int, str]]) -> set[ReleasedCell]:
            return {
                ReleasedCell(population, (count, key, hash_sum), scale)
                for population, count, key, hash_sum, _ in identities
            }

        charge_in_window(
            connection,
            requester=requester,
            analyst=analyst,
            analyst_cost=release_cost(
                releases,
                released_before=before(to_analyst),
                sensitivities=sensitivities,
                scale=scale,
            ),
            peer_cost=release_cost(
                releases, released_before=before(to_peer), sensitivities=sensitivities, scale=scale
            ),
            analyst_budget=settings.epsilon_budget,
            peer_budget=settings.peer_budget,
            now_s=now_s,
        )
    new = {row.identity: row for row in rows if row.identity not in to_analyst}
    record_released(
        connection, requester=requester, analyst=analyst, cells=new.values(), now_s=now_s
    )


def _all_cells(populations: Populations) -> list[CellRef]:
    refs: list[CellRef] = []
    for result in populations:
        refs.append((result.population, None, None))
        for key, table in result.strata.items():
            refs.extend((result.population, key, value) for value in table)
    return refs

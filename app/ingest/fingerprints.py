"""A compact set of 64-bit id fingerprints, to find duplicate ids in an export of any size.

A Python ``set`` of a million id strings costs ~90 MB; this open-addressing table of uint64 costs
16 bytes per id at most (load ≤ 1/2), and a batch is checked and inserted with a few vectorised
numpy passes instead of a Python loop. Fingerprints are the first 64 bits of a pseudonym (an HMAC,
so uniformly spread): two different ids collide with probability ~n²/2⁶⁵.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_EMPTY = np.uint64(0)
_INITIAL_CAPACITY = 1 << 16
_VECTOR_MIN = 32
_REHASH_CHUNK = 1 << 15


def fingerprint(pseudonym: str) -> int:
    """Return the 64-bit fingerprint of a hex pseudonym (never 0, which marks an empty slot)."""
    return int(pseudonym[:16], 16) or 1


def fingerprints(pseudonyms: list[str]) -> list[int]:
    """Return ``[fingerprint(p) for p in pseudonyms]`` (one call per batch, not per id)."""
    return [int(pseudonym[:16], 16) or 1 for pseudonym in pseudonyms]


class FingerprintSet:
    """Remembers fingerprints; ``add_batch`` says which of a batch were already there."""

    def __init__(self) -> None:
        self._table: npt.NDArray[np.uint64] = np.zeros(_INITIAL_CAPACITY, dtype=np.uint64)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add_batch(self, values: list[int]) -> list[bool]:
        """Add ``values``; return per value whether it is a duplicate (seen before or earlier here)."""
        if not values:
            return []
        while (self._count + len(values)) * 2 > len(self._table):
            self._grow()
        batch = np.array(values, dtype=np.uint64)
        return self._insert(batch).tolist()

    def _insert(self, batch: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
        table = self._table
        mask = len(table) - 1
        duplicate = np.zeros(len(batch), dtype=bool)
        slots = (batch & np.uint64(mask)).astype(np.int64)
        pending = np.arange(len(batch))
        while pending.size > _VECTOR_MIN:
            keys = batch[pending]
            at = slots[pending]
            current = table[at]
            hit = current == keys
            duplicate[pending[hit]] = True
            empty = current == _EMPTY
            # Several pending keys may want one empty slot: the earliest in the batch takes it
            # (stable sort); the others look again at that slot and find it taken.
            candidates = pending[empty]
            order = np.argsort(at[empty], kind="stable")
            ordered_slots = at[empty][order]
            first = np.ones(len(order), dtype=bool)
            first[1:] = ordered_slots[1:] != ordered_slots[:-1]
            winners = candidates[order[first]]
            table[slots[winners]] = batch[winners]
            self._count += len(winners)
            occupied = pending[~hit & ~empty]
            slots[occupied] = (slots[occupied] + 1) & mask
            pending = np.sort(np.concatenate((occupied, candidates[order[~first]])))
        # The last few keys of long probe chains are cheaper one by one.
        for index in pending.tolist():
            key = int(batch[index])
            slot = int(slots[index])
            while True:
                occupant = int(table[slot])
                if occupant == key:
                    duplicate[index] = True
                    break
                if occupant == 0:
                    table[slot] = np.uint64(key)
                    self._count += 1
                    break
                slot = (slot + 1) & mask
        return duplicate

    def _grow(self) -> None:
        kept = self._table[self._table != _EMPTY]
        self._table = np.zeros(len(self._table) * 2, dtype=np.uint64)
        self._count = 0
        # In chunks: the vectorised insert needs several temporary arrays per key inserted.
        for start in range(0, len(kept), _REHASH_CHUNK):
            self._insert(kept[start : start + _REHASH_CHUNK])

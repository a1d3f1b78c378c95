"""The servers' start-up objects are frozen out of garbage collection, after a last collection."""

from __future__ import annotations

import gc
import weakref

from app.cli.heap import freeze_startup_objects


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_garbage_is_collected_first_and_live_objects_are_frozen() -> None:
    cycle_a, cycle_b = _Node(), _Node()
    cycle_a.other, cycle_b.other = cycle_b, cycle_a
    garbage = weakref.ref(cycle_a)
    del cycle_a, cycle_b  # only a reference cycle holds them now: garbage for the collector
    kept = [_Node() for _ in range(1000)]
    try:
        frozen = freeze_startup_objects()
        assert garbage() is None  # collected before the freeze, not frozen for ever
        assert frozen >= len(kept)
        tracked = {id(o) for o in gc.get_objects()}
        assert not any(id(node) in tracked for node in kept)  # no collection walks them now
    finally:
        gc.unfreeze()
    tracked = {id(o) for o in gc.get_objects()}
    assert all(id(node) in tracked for node in kept)

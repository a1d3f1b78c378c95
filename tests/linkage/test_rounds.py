"""The first node's open rounds: in memory, single use, expiring, bounded, tied to query and pair."""

from __future__ import annotations

import pytest

from app.errors import Conflict
from app.linkage.psi import BlindingKey
from app.linkage.rounds import BlindingRounds


class FrozenClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_round_is_taken_once() -> None:
    rounds = BlindingRounds(clock=FrozenClock())
    key = BlindingKey.fresh()
    opened = rounds.open(key=key, query_digest="q", pair="DE+NO", size=5)
    taken = rounds.take(opened.round_id, query_digest="q", pair="DE+NO")
    assert taken.key == key and taken.size == 5
    with pytest.raises(Conflict, match="unknown, used or expired"):
        rounds.take(opened.round_id, query_digest="q", pair="DE+NO")


def test_a_round_expires() -> None:
    clock = FrozenClock()
    rounds = BlindingRounds(ttl_s=60, clock=clock)
    opened = rounds.open(key=BlindingKey.fresh(), query_digest="q", pair="DE+NO", size=1)
    clock.now += 61
    assert len(rounds) == 0
    with pytest.raises(Conflict):
        rounds.take(opened.round_id, query_digest="q", pair="DE+NO")


def test_a_round_for_another_query_or_pair_is_refused_and_spent() -> None:
    rounds = BlindingRounds(clock=FrozenClock())
    opened = rounds.open(key=BlindingKey.fresh(), query_digest="q", pair="DE+NO", size=1)
    with pytest.raises(Conflict, match="another query or pair"):
        rounds.take(opened.round_id, query_digest="q", pair="DE+PT")
    with pytest.raises(Conflict, match="unknown, used or expired"):
        rounds.take(opened.round_id, query_digest="q", pair="DE+NO")


def test_a_full_store_forgets_its_oldest_round() -> None:
    rounds = BlindingRounds(capacity=2, clock=FrozenClock())
    first, *_ = (
        rounds.open(key=BlindingKey.fresh(), query_digest=str(i), pair="DE+NO", size=1)
        for i in range(3)
    )
    assert len(rounds) == 2
    with pytest.raises(Conflict):
        rounds.take(first.round_id, query_digest="0", pair="DE+NO")


def test_round_ids_are_unguessable_and_distinct() -> None:
    rounds = BlindingRounds(clock=FrozenClock())
    ids = {
        rounds.open(key=BlindingKey.fresh(), query_digest="q", pair="p", size=1).round_id
        for _ in range(50)
    }
    assert len(ids) == 50
    assert all(len(rid) >= 22 for rid in ids)

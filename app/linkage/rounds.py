"""Where the first node of a pair keeps its blinding key between the two rounds it answers.

The key lives in this process's memory only: never in the database, a log, the audit chain or a
message, so no backup or relay ever holds it. Each open round expires after ``ttl_s`` and is
taken exactly once (taking it removes it, whether or not the count then succeeds), so a relay
cannot ask for a second count under the same key. The store is bounded; when it is full the
oldest round goes first. A restart forgets every open round: the exchange is then refused and the
query is asked again.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from app.errors import Conflict
from app.linkage.psi import BlindingKey

ROUND_TTL_S = 600
MAX_OPEN_ROUNDS = 1024


@dataclass(frozen=True)
class OpenRound:
    """What the first node remembers between sending its set and counting the intersection."""

    round_id: str
    key: BlindingKey = field(repr=False)
    query_digest: str
    pair: str
    size: int
    """How many elements this node sent (its re-blinded set must come back at that size)."""
    expires_s: float


class BlindingRounds:
    """In-memory, expiring, single-use store of open rounds (thread-safe)."""

    def __init__(
        self,
        *,
        ttl_s: float = ROUND_TTL_S,
        capacity: int = MAX_OPEN_ROUNDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._ttl_s = ttl_s
        self._capacity = capacity
        self._clock = clock
        self._rounds: OrderedDict[str, OpenRound] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, *, key: BlindingKey, query_digest: str, pair: str, size: int) -> OpenRound:
        """Remember a key for one exchange and return the round (its id goes to the relay)."""
        now = self._clock()
        opened = OpenRound(
            round_id=secrets.token_urlsafe(16),
            key=key,
            query_digest=query_digest,
            pair=pair,
            size=size,
            expires_s=now + self._ttl_s,
        )
        with self._lock:
            self._forget_expired(now)
            while len(self._rounds) >= self._capacity:
                self._rounds.popitem(last=False)
            self._rounds[opened.round_id] = opened
        return opened

    def take(self, round_id: str, *, query_digest: str, pair: str) -> OpenRound:
        """Remove and return an open round; raises ``Conflict`` when it is unknown, used, expired
        or opened for another query or pair."""
        now = self._clock()
        with self._lock:
            self._forget_expired(now)
            found = self._rounds.pop(round_id, None)
        if found is None:
            raise Conflict("unknown, used or expired overlap round")
        if found.query_digest != query_digest or found.pair != pair:
            raise Conflict("the overlap round was opened for another query or pair")
        return found

    def __len__(self) -> int:
        with self._lock:
            self._forget_expired(self._clock())
            return len(self._rounds)

    def _forget_expired(self, now: float) -> None:
        # Rounds are kept in the order they were opened, all with one lifetime: the expired ones
        # are at the front.
        while self._rounds and next(iter(self._rounds.values())).expires_s <= now:
            self._rounds.popitem(last=False)

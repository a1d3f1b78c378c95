"""Per-peer request rate limit: a token bucket refilled at ``rate_per_minute``."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from app.errors import BudgetExhausted


class RateLimiter:
    """Allow each peer ``rate_per_minute`` requests a minute, with bursts up to that many."""

    def __init__(self, rate_per_minute: int, *, clock: Callable[[], float] = time.monotonic):
        self._capacity = float(rate_per_minute)
        self._per_second = rate_per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, peer: str) -> None:
        """Spend one token of ``peer``; raises ``BudgetExhausted`` (429) when none is left."""
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(peer, (self._capacity, now))
            tokens = min(self._capacity, tokens + (now - last) * self._per_second)
            if tokens < 1.0:
                self._buckets[peer] = (tokens, now)
                wait_s = math.ceil((1.0 - tokens) / self._per_second)
                raise BudgetExhausted("rate limit: too many requests", retry_after_s=wait_s)
            self._buckets[peer] = (tokens - 1.0, now)

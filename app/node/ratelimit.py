"""Bounding a node's load: per-client request rates (token buckets) and concurrent evaluations.

``RateLimiter`` refills each key's bucket at ``rate_per_minute``: peers are keyed by name, and
unauthenticated requests by the client's address (so a stranger cannot fill the audit log); the
hub keys its bearer-token failures by client address too (``check`` refuses without spending).
``EvaluationSlots`` caps how many measure evaluations run at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable

from app.errors import BudgetExhausted, Unavailable


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

    def check(self, peer: str) -> None:
        """Raise ``BudgetExhausted`` (429) when ``peer`` has no token left, spending none."""
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(peer, (self._capacity, now))
            tokens = min(self._capacity, tokens + (now - last) * self._per_second)
            if tokens < 1.0:
                wait_s = math.ceil((1.0 - tokens) / self._per_second)
                raise BudgetExhausted("rate limit: too many requests", retry_after_s=wait_s)


class EvaluationSlots:
    """At most ``size`` measure evaluations at once on this node; the rest wait their turn.

    One ``asyncio.Semaphore`` per event loop (a semaphore is bound to the loop it first waits on,
    and tests serve one app from several loops). A request that waits longer than ``wait_s`` for
    a slot is refused with 503, which the hub retries with backoff.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    @contextlib.asynccontextmanager
    async def slot(self, wait_s: float) -> AsyncIterator[None]:
        """Hold one slot for the block; raises ``Unavailable`` (503) after ``wait_s`` without."""
        loop = asyncio.get_running_loop()
        semaphore = self._by_loop.get(loop)
        if semaphore is None:
            semaphore = self._by_loop[loop] = asyncio.Semaphore(self.size)
        try:
            async with asyncio.timeout(wait_s):
                await semaphore.acquire()
        except TimeoutError:
            raise Unavailable(
                f"busy: {self.size} evaluations running (limits.max_concurrent_evaluations)"
            ) from None
        try:
            yield
        finally:
            semaphore.release()

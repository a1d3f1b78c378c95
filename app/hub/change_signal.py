"""Wake a process's waiters (long-polls, ``--wait``) when a task is made or answered.

Waiters in other hub processes are not woken: they look again every ``POLL_INTERVAL_S`` of
``app.hub.tasks``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ChangeSignal:
    """Wakes this process's waiters (long-polls, ``--wait``) when a task is made or answered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    def notify(self) -> None:
        """Wake every waiter (from any thread)."""
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that waiter's loop has closed
                continue

    @contextmanager
    def listening(self) -> Iterator[asyncio.Event]:
        """Yield an event set by the next ``notify``: register first, then look, then wait."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.add(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                self._waiters.discard(entry)


async def wait_for_event(event: asyncio.Event, timeout_s: float) -> None:
    """Return when ``event`` is set or ``timeout_s`` has passed."""
    try:
        async with asyncio.timeout(max(0.0, timeout_s)):
            await event.wait()
    except TimeoutError:
        return

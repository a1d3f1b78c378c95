"""The replay store: every accepted request nonce is kept in the database until it expires."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine, delete, exc, insert

from app.errors import Conflict
from app.trust.tables import request_nonce

log = logging.getLogger("ketanet.trust")


class NonceStore:
    """Remembers ``(kid, nonce)`` pairs; a second sighting is a replay."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], float] = time.time,
        collect_every: int = 256,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._collect_every = max(1, collect_every)
        self._inserts = 0
        self._lock = threading.Lock()
        # Built once: a statement with bound parameters skips per-call construction.
        self._insert = insert(request_nonce)

    def remember(self, kid: str, nonce: str, expires_s: float) -> None:
        """Record a nonce until ``expires_s``; raises ``Conflict`` when it was seen before."""
        try:
            # The INSERT is the check: the primary key refuses a second (kid, nonce) atomically,
            # across threads and worker processes, with no read-then-write window.
            with self._engine.begin() as connection:
                connection.execute(
                    self._insert, {"kid": kid, "nonce": nonce, "expires_s": int(expires_s)}
                )
        except exc.IntegrityError:
            raise Conflict("replayed nonce") from None
        with self._lock:
            self._inserts += 1
            due = self._inserts % self._collect_every == 0
        if due:
            self._collect_quietly()

    def seen(self, kid: str, nonce: str) -> bool:
        """Return whether ``(kid, nonce)`` is currently remembered."""
        query = request_nonce.select().where(
            request_nonce.c.kid == kid, request_nonce.c.nonce == nonce
        )
        with self._engine.connect() as connection:
            return connection.execute(query).first() is not None

    def collect(self, now: float) -> int:
        """Delete nonces whose signatures expired before ``now``; return how many went."""
        # A request whose signature has expired is refused on its ``expires`` alone, so its
        # nonce no longer needs remembering.
        with self._engine.begin() as connection:
            result = connection.execute(
                delete(request_nonce).where(request_nonce.c.expires_s < int(now))
            )
        return int(result.rowcount or 0)

    def _collect_quietly(self) -> None:
        try:
            self.collect(self._clock())
        except exc.SQLAlchemyError as error:
            # Housekeeping must never fail a request that was already accepted.
            log.warning("nonce collection failed: %s", type(error).__name__)

"""Everything a running node needs, built once by ``create_node_app`` and kept on ``app.state``."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from app.config import NodeSettings
from app.errors import KetanetError
from app.node.ratelimit import RateLimiter
from app.trust.audit import AuditLog
from app.trust.keys import SigningKey
from app.trust.signatures import RequestVerifier


@dataclass
class NodeContext:
    """The node's settings, database, keys and trust machinery."""

    settings: NodeSettings
    engine: Engine
    signing_key: SigningKey
    verifier: RequestVerifier
    audit: AuditLog
    rate_limiter: RateLimiter
    clock: Callable[[], float] = time.time
    rng: random.Random | None = None
    """The noise source of answers; None is the OS CSPRNG (seed one only in tests)."""

    def audit_refusal(
        self,
        *,
        actor: str,
        action: str,
        target: str,
        error: KetanetError,
        request_digest: str | None = None,
    ) -> None:
        """Append the refusal of an authenticated request to the audit log (status and rule)."""
        self.audit.append(
            actor=actor,
            action=action,
            target=target,
            decision="refused",
            reason=f"{error.http_status}: {error.message}",
            request_digest=request_digest,
        )

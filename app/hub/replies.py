"""One node's reply to a fan-out: the one type for a node's outcome, from the wire to the pool.

The fan-out makes one ``NodeReply`` per configured node (``fanout``); pooling reads them as they
are (``pooling``) and the service records their receipts. A reply's ``status`` is one of the node
statuses of the query-output contract (``docs/hub-api.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.exchange.answer import MeasureAnswer
from app.trust.signatures import Receipt

NodeStatus = Literal["ok", "refused", "timeout", "unreachable", "bad-signature", "invalid-report"]
NODE_STATUSES: tuple[NodeStatus, ...] = (
    "ok", "refused", "timeout", "unreachable", "bad-signature", "invalid-report",
)  # fmt: skip


@dataclass(frozen=True)
class NodeReply:
    """One node's outcome: contract status, reason (``detail``), parsed answer and receipt."""

    node_id: str
    country: str
    status: NodeStatus
    detail: str | None = None
    answer: MeasureAnswer | None = None
    """The verified, parsed answer: set when ``status`` is ``ok``."""
    receipt: Receipt | None = None
    """The node's signed response as received, when it signed one."""
    elapsed_s: float = 0.0

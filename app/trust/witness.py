"""An audit checkpoint on the wire: the header a node sends it in with each answer.

The checkpoint document is ``AuditLog.checkpoint``'s (chain head, signed by the node's key); the
header value is its JSON in base64url. Decoding checks only the shape: whoever keeps one
(the hub, ``app.hub.witness``) believes it once ``verify_checkpoint`` accepts its signature.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

import orjson

CHECKPOINT_HEADER = "ketanet-audit-checkpoint"
MAX_CHECKPOINT_CHARS = 2_000


def encode_checkpoint(document: Mapping[str, Any]) -> str:
    """Return a checkpoint as the header value a node sends (base64url of its JSON)."""
    return base64.urlsafe_b64encode(orjson.dumps(dict(document))).decode("ascii").rstrip("=")


def decode_checkpoint(value: str) -> dict[str, Any] | None:
    """Return the checkpoint a header value holds, or None when it is not one (never raises)."""
    if len(value) > MAX_CHECKPOINT_CHARS:
        return None
    try:
        document = orjson.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    seq, head = document.get("seq"), document.get("hash")
    if type(seq) is not int or seq < 0 or not isinstance(head, str) or len(head) > 64:
        return None
    return document

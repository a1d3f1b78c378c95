"""The audit log: an append-only, hash-chained table with signed checkpoints of its head.

Each entry's ``hash`` is SHA-256 over the canonical JSON of its fields, its ``seq`` and the
previous entry's hash, so an edited, deleted, moved or inserted entry breaks the chain. Someone
with write access can still rewrite the whole tail consistently, or cut it off; the signed
checkpoints that peers keep as witnesses catch both (``verify(checkpoints=...)``).
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Engine, exc, insert, select, text

from app.errors import IntegrityError
from app.trust.keys import SigningKey, b64url_decode, b64url_encode
from app.trust.tables import audit_checkpoint, audit_log

GENESIS_HASH = "0" * 64
CHECKPOINT_TYPE = "ketanet-audit-checkpoint"
_HASHED = (
    "seq", "at", "actor", "action", "target", "decision",
    "reason", "request_digest", "response_digest", "prev_hash",
)  # fmt: skip
_CHECKPOINT_SIGNED = ("type", "seq", "hash", "at", "kid")
# One application-wide advisory lock id for the chain head (PostgreSQL).
_PG_LOCK_KEY = zlib.crc32(b"ketanet.audit_log")
_APPEND_ATTEMPTS = 5


def canonical_json(value: Any) -> bytes:
    """Return the canonical JSON bytes of ``value`` (sorted keys, no spaces, ASCII)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def entry_hash(fields: Mapping[str, Any]) -> str:
    """Return the chain hash of an entry's fields (its ``prev_hash`` included)."""
    return hashlib.sha256(canonical_json({name: fields[name] for name in _HASHED})).hexdigest()


def iso_utc(epoch_s: float) -> str:
    """Return ``epoch_s`` as ISO 8601 UTC with milliseconds and a ``Z``."""
    stamp = datetime.fromtimestamp(epoch_s, tz=UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


@dataclass(frozen=True)
class AuditEntry:
    """One audit record: who did what to which target, the decision, and the chain links."""

    seq: int
    at: str
    actor: str
    action: str
    target: str
    decision: str
    reason: str | None
    request_digest: str | None
    response_digest: str | None
    prev_hash: str
    hash: str

    def to_json(self) -> dict[str, Any]:
        """Return the entry as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class AuditVerification:
    """The outcome of checking the chain: intact, or the first bad entry and why."""

    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str | None = None

    def raise_for_failure(self) -> None:
        """Raise ``IntegrityError`` naming the first bad entry when the chain is broken."""
        if not self.ok:
            raise IntegrityError(f"audit log broken at entry {self.first_bad_seq}: {self.reason}")


class AuditLog:
    """The hash-chained audit table of one node or hub database."""

    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock

    def append(
        self,
        *,
        actor: str,
        action: str,
        target: str,
        decision: str,
        reason: str | None = None,
        request_digest: str | None = None,
        response_digest: str | None = None,
    ) -> AuditEntry:
        """Append an entry at the chain head and return it; raises ``IntegrityError`` if it cannot."""
        for _attempt in range(_APPEND_ATTEMPTS):
            try:
                with self._engine.connect() as connection:
                    _lock_head(connection)
                    seq, prev_hash = _head(connection)
                    fields: dict[str, Any] = {
                        "seq": seq + 1,
                        "at": iso_utc(self._clock()),
                        "actor": actor,
                        "action": action,
                        "target": target,
                        "decision": decision,
                        "reason": reason,
                        "request_digest": request_digest,
                        "response_digest": response_digest,
                        "prev_hash": prev_hash,
                    }
                    fields["hash"] = entry_hash(fields)
                    connection.execute(insert(audit_log), fields)
                    connection.commit()
                    return AuditEntry(**fields)
            except exc.IntegrityError:
                # Only reachable on a database without a head lock: another writer took this
                # seq first; read the new head and chain after it.
                continue
        raise IntegrityError("audit: could not append an entry (the chain head kept moving)")

    def entries(self, since_seq: int | None = None) -> list[AuditEntry]:
        """Return the entries in chain order, from ``since_seq`` (inclusive) when given."""
        query = select(audit_log).order_by(audit_log.c.seq)
        if since_seq is not None:
            query = query.where(audit_log.c.seq >= since_seq)
        with self._engine.connect() as connection:
            return [AuditEntry(**row._asdict()) for row in connection.execute(query)]

    def head(self) -> tuple[int, str]:
        """Return the chain head ``(seq, hash)``; ``(0, GENESIS_HASH)`` for an empty log."""
        with self._engine.connect() as connection:
            return _head(connection)

    def verify(
        self,
        checkpoints: Iterable[Mapping[str, Any]] | None = None,
        public_keys: Mapping[str, Ed25519PublicKey] | None = None,
    ) -> AuditVerification:
        """Check the chain and every checkpoint (the stored ones when None); never raises."""
        documents = self.stored_checkpoints() if checkpoints is None else list(checkpoints)
        pinned: dict[int, set[str]] = {}
        for document in documents:
            try:
                if public_keys is not None:
                    verify_checkpoint(document, public_keys)
                pinned.setdefault(int(document["seq"]), set()).add(str(document["hash"]))
            except (IntegrityError, KeyError, TypeError, ValueError) as error:
                reason = error.message if isinstance(error, IntegrityError) else "malformed"
                return AuditVerification(False, 0, 0, GENESIS_HASH, None, f"checkpoint: {reason}")
        return _walk_chain(self._engine, pinned)

    def checkpoint(self, key: SigningKey, *, store: bool = True) -> dict[str, Any]:
        """Return a signed checkpoint of the chain head (also stored in ``audit_checkpoint``
        unless ``store`` is False: one sent to a witness with every answer)."""
        seq, head_hash = self.head()
        body = {
            "type": CHECKPOINT_TYPE,
            "seq": seq,
            "hash": head_hash,
            "at": iso_utc(self._clock()),
            "kid": key.kid,
        }
        document = {**body, "signature": b64url_encode(key.sign(canonical_json(body)))}
        if not store:
            return document
        with self._engine.begin() as connection:
            connection.execute(
                insert(audit_checkpoint).values(
                    seq=seq,
                    hash=head_hash,
                    at=body["at"],
                    kid=key.kid,
                    document=json.dumps(document),
                )
            )
        return document

    def stored_checkpoints(self) -> list[dict[str, Any]]:
        """Return the checkpoints this database holds, oldest first."""
        query = select(audit_checkpoint.c.document).order_by(audit_checkpoint.c.id)
        with self._engine.connect() as connection:
            return [json.loads(document) for document in connection.execute(query).scalars()]


def verify_checkpoint(
    document: Mapping[str, Any], public_keys: Mapping[str, Ed25519PublicKey]
) -> None:
    """Check a checkpoint's Ed25519 signature against ``public_keys``; raises ``IntegrityError``."""
    try:
        body = {name: document[name] for name in _CHECKPOINT_SIGNED}
        signature = b64url_decode(str(document["signature"]))
    except (KeyError, TypeError, ValueError):
        raise IntegrityError("checkpoint is malformed") from None
    if body["type"] != CHECKPOINT_TYPE or type(body["seq"]) is not int:
        raise IntegrityError("checkpoint is malformed")
    public_key = public_keys.get(str(body["kid"]))
    if public_key is None:
        raise IntegrityError("checkpoint is signed by an unknown key")
    try:
        public_key.verify(signature, canonical_json(body))
    except InvalidSignature:
        raise IntegrityError("checkpoint signature does not verify") from None


def _lock_head(connection: Connection) -> None:
    # Serialise appenders so two never chain onto the same head (no fork).
    dialect = connection.dialect.name
    if dialect == "sqlite":
        # Take SQLite's write lock before reading the head, not at the INSERT.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})


def _head(connection: Connection) -> tuple[int, str]:
    query = select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    row = connection.execute(query).first()
    return (int(row.seq), str(row.hash)) if row is not None else (0, GENESIS_HASH)


def _walk_chain(engine: Engine, pinned: Mapping[int, set[str]]) -> AuditVerification:
    expected_seq, prev_hash = 1, GENESIS_HASH

    def broken(seq: int, reason: str) -> AuditVerification:
        return AuditVerification(False, expected_seq - 1, expected_seq - 1, prev_hash, seq, reason)

    query = select(audit_log).order_by(audit_log.c.seq)
    with engine.connect() as connection:
        for row in connection.execution_options(yield_per=1000).execute(query):
            fields = row._asdict()
            if row.seq != expected_seq:
                return broken(row.seq, f"expected entry {expected_seq} here (deleted or inserted)")
            if entry_hash(fields) != row.hash:
                return broken(row.seq, "hash does not match the entry (edited or moved)")
            if row.prev_hash != prev_hash:
                return broken(row.seq, "prev_hash does not match the entry before (chain broken)")
            if pinned.get(row.seq, {row.hash}) != {row.hash}:
                return broken(row.seq, "differs from a signed checkpoint (history rewritten)")
            expected_seq, prev_hash = expected_seq + 1, row.hash
    head_seq = expected_seq - 1
    if 0 in pinned and pinned[0] != {GENESIS_HASH}:
        return broken(1, "differs from a signed checkpoint of the empty log")
    beyond = [seq for seq in pinned if seq > head_seq]
    if beyond:
        return broken(head_seq + 1, f"log truncated: a checkpoint holds entry {max(beyond)}")
    return AuditVerification(True, head_seq, head_seq, prev_hash)

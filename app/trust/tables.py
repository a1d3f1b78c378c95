"""SQLAlchemy Core tables of the trust layer, in their own ``MetaData`` (SQLite and PostgreSQL).

Node and hub databases both hold them; each database's migration list creates them
(``app.store.migrations``, ``app.hub.migrations``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

trust_metadata = MetaData()

# The primary key (kid, nonce) is the replay check: the INSERT either succeeds or violates it,
# atomically, whatever the number of threads or worker processes.
request_nonce = Table(
    "request_nonce",
    trust_metadata,
    Column("kid", String(64), nullable=False),
    Column("nonce", String(128), nullable=False),
    Column("expires_s", BigInteger, nullable=False),
    PrimaryKeyConstraint("kid", "nonce", name="pk_request_nonce"),
    Index("ix_request_nonce_expires_s", "expires_s"),
)

audit_log = Table(
    "audit_log",
    trust_metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("decision", String(32), nullable=False),
    Column("reason", Text, nullable=True),
    Column("request_digest", Text, nullable=True),
    Column("response_digest", Text, nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
)

audit_checkpoint = Table(
    "audit_checkpoint",
    trust_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("at", String(32), nullable=False),
    Column("kid", String(64), nullable=False),
    Column("document", Text, nullable=False),
)

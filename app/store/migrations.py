"""The node database's one migration list: every table of the node, under one schema version.

Versions 1 and 2 are the record store of release 0.1.0. That release also created the trust
tables, the answer cache and the ε ledger outside any version; versions 3 to 5 adopt them (create
them when missing, keep them as they are when present), so a node made by any release upgrades
in place. Append new migrations at the end; never edit one (see ``app.schema_versions``).
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, Table

from app.schema_versions import Migration, SchemaHistory, applied_version, creating, upgrade
from app.store.answer_cache import answer_cache_table
from app.store.models import RECORD_TABLES, ErasedPatient, IngestRun, RecordBase
from app.store.privacy_ledger import epsilon_ledger_table
from app.trust.tables import audit_checkpoint, audit_log, request_nonce


def _table(model: type[RecordBase]) -> Table:
    return RecordBase.metadata.tables[str(model.__tablename__)]


def _create_record_tables(connection: Connection) -> None:
    # Only the tables of version 1: later migrations create their own.
    tables = [_table(model) for model in (*RECORD_TABLES, IngestRun)]
    RecordBase.metadata.create_all(connection, tables=tables)


def _create_erased_patient_table(connection: Connection) -> None:
    _table(ErasedPatient).create(connection, checkfirst=True)


NODE_SCHEMA = SchemaHistory(
    version_table="store_schema_version",
    migrations=(
        Migration("record tables of the minimum dataset", _create_record_tables),
        Migration(
            "erased_patient: pseudonyms of erased patients, skipped by later imports",
            _create_erased_patient_table,
        ),
        Migration(
            "trust tables: request nonces, audit log, audit checkpoints",
            creating(request_nonce, audit_log, audit_checkpoint),
        ),
        Migration(
            "disclosure_answer_cache: answers as first sent, per requester, query and data",
            creating(answer_cache_table),
        ),
        Migration(
            "disclosure_epsilon_ledger: epsilon spent per requester", creating(epsilon_ledger_table)
        ),
    ),
)
SCHEMA_VERSION = NODE_SCHEMA.version


def upgrade_schema(engine: Engine) -> int:
    """Apply every pending migration of the node database; return the resulting version.

    Raises ``ConfigError`` for a database made by a newer release.
    """
    return upgrade(engine, NODE_SCHEMA)


def node_schema_version(connection: Connection) -> int:
    """Return the node database's applied schema version without writing (0: none yet)."""
    return applied_version(connection, NODE_SCHEMA)

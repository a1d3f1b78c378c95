"""The node database's one migration list: every table of the node, under one schema version.

Versions 1 and 2 are the record store of release 0.1.0. That release also created the trust
tables, the answer cache and the ε ledger outside any version; versions 3 to 5 adopt them (create
them when missing, keep them as they are when present), so a node made by any release upgrades
in place. Version 6 holds the linkage tokens of the cross-border overlap; version 7 the requests
held for the data steward (``approvals``). Versions 8 to 10 carry disclosure control by cell keys
(``docs/privacy.md``): record-key columns (their values are filled from the pseudonym secret by
``app.ingest.record_keys``, at the node's start and at every ingest), the released cells, and
rolling ε charges. Version 11 holds the patients' voices (PREM answers, consent records);
version 12 widens the administrations' per-patient index (instant, then id: the order the
measures look administrations up in); version 13 holds the prescriber reviews; version 14 adds,
on PostgreSQL only, the blood pressure readings' covering index (``BP_INDEX``: safety-signals
reads them in patient and instant order without the table); version 15, on PostgreSQL only, has
ix_administration_patient_at carry the columns the measures read in its order
(``ADMINISTRATION_INDEX_INCLUDES``); version 16, on SQLite only, stores the record tables' rows
in insertion order, their pseudonyms unique by an index a bulk load can drop and rebuild
(``app.store.key_layout``); version 17 keeps per-dose rows for safety-signals and
guideline-adherence with the triggers marking the patients whose rows are stale
(``app.store.dose_signals``; after 16, whose table rebuilds would drop the triggers), a partial
index of liver tests and bladder scores, and on SQLite the observations' per-patient index with
id and value; version 18, on PostgreSQL only, a partial index of the rating-scale scores in
efficacy's lookup order with their values (``SCORE_INDEX``); version 19 keeps each adverse
event's attributed administration (``app.store.event_attribution``), refreshed with the kept
per-dose rows, adverse events marking their patients stale too. Append new migrations at the end;
never edit one (see ``app.schema_versions``).
"""

from __future__ import annotations

import time

from sqlalchemy import Connection, Engine, Table, inspect

from app.schema_versions import Migration, SchemaHistory, applied_version, creating, upgrade
from app.store.answer_cache import answer_cache_table
from app.store.approvals import approval_table
from app.store.dose_signals import create_dose_signal_tables
from app.store.event_attribution import create_event_attribution_table
from app.store.key_layout import store_records_in_insertion_order
from app.store.models import (
    ADMINISTRATION_INDEX,
    ADMINISTRATION_INDEX_INCLUDES,
    BP_INDEX,
    LINKAGE_TOKENS,
    OBSERVATION_INDEX,
    OBSERVATION_SCORE_INDEX,
    RECORD_TABLES,
    SCORE_INDEX,
    SCREENING_INDEX,
    VOICE_TABLES,
    AdministrationRecord,
    ErasedPatient,
    IngestRun,
    ObservationRecord,
    RecordBase,
    ReviewRecord,
)
from app.store.privacy_ledger import (
    adopt_lifetime_spending,
    epsilon_ledger_table,
    ledger_charge_table,
)
from app.store.record_keys import add_record_key_columns
from app.store.released_cells import released_cell_table
from app.trust.tables import audit_checkpoint, audit_log, request_nonce


def _table(model: type[RecordBase]) -> Table:
    return RecordBase.metadata.tables[str(model.__tablename__)]


def _create_record_tables(connection: Connection) -> None:
    # Only the tables of version 1: later migrations create their own.
    tables = [_table(model) for model in (*RECORD_TABLES, IngestRun)]
    RecordBase.metadata.create_all(connection, tables=tables)


def _create_erased_patient_table(connection: Connection) -> None:
    _table(ErasedPatient).create(connection, checkfirst=True)


def _create_ledger_charges(connection: Connection) -> None:
    ledger_charge_table.create(connection, checkfirst=True)
    # What each requester spent before budgets rolled counts as spent today: stricter, never looser.
    adopt_lifetime_spending(connection, now_s=int(time.time()))


def _administration_index_with_id(connection: Connection) -> None:
    # ix_administration_patient_at gains id as its last column: the measures' "latest/first by
    # instant, then id" lookups then stop at the first entry instead of sorting every candidate.
    index = next(
        index
        for index in _table(AdministrationRecord).indexes
        if index.name == "ix_administration_patient_at"
    )
    connection.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
    index.create(connection)


def _blood_pressure_index(connection: Connection) -> None:
    # PostgreSQL only (the index's DDL is conditional on the dialect); stores made at version 1
    # by this release have it already.
    index = next(i for i in _table(ObservationRecord).indexes if i.name == BP_INDEX)
    index.create(connection, checkfirst=True)


def _kept_dose_rows_and_observation_indexes(connection: Connection) -> None:
    # The partial index of liver tests and bladder scores (both stores), SQLite's score index
    # with id and value in place of the three-column one, then the kept per-dose rows.
    indexes = {str(i.name): i for i in _table(ObservationRecord).indexes}
    indexes[SCREENING_INDEX].create(connection, checkfirst=True)
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {OBSERVATION_INDEX}")
        indexes[OBSERVATION_SCORE_INDEX].create(connection, checkfirst=True)
    create_dose_signal_tables(connection)


def _score_index(connection: Connection) -> None:
    # PostgreSQL only (the index's DDL is conditional on the dialect); a store made at version 1
    # by this release has it already.
    index = next(i for i in _table(ObservationRecord).indexes if i.name == SCORE_INDEX)
    index.create(connection, checkfirst=True)


def _covering_administration_index(connection: Connection) -> None:
    # PostgreSQL only: SQLite has no INCLUDE. Stores whose index already has the columns (made
    # or rebuilt from this release's model, by version 1 or 12) keep it; others rebuild it.
    if connection.dialect.name != "postgresql":
        return
    found = inspect(connection).get_indexes("administration")
    current = next(i for i in found if i["name"] == ADMINISTRATION_INDEX)
    if (
        tuple(current.get("dialect_options", {}).get("postgresql_include", ()))
        == ADMINISTRATION_INDEX_INCLUDES
    ):
        return
    index = next(i for i in _table(AdministrationRecord).indexes if i.name == ADMINISTRATION_INDEX)
    connection.exec_driver_sql(f"DROP INDEX {ADMINISTRATION_INDEX}")
    index.create(connection)


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
        Migration(
            "linkage_token: patients' linkage tokens for the cross-border overlap",
            creating(LINKAGE_TOKENS),
        ),
        Migration(
            "node_approval: requests held for the data steward, decisions and signed answers",
            creating(approval_table),
        ),
        Migration(
            "record keys: record_key and member_hash on patients and counted records",
            add_record_key_columns,
        ),
        Migration(
            "released_cell: cells released per peer and analyst, for keyed noise and near-duplicates",
            creating(released_cell_table),
        ),
        Migration(
            "privacy_ledger_charge: epsilon charged per peer and analyst over time (rolling budgets)",
            _create_ledger_charges,
        ),
        Migration(
            "experience and consent: PREM answers and consent records (patients' voices)",
            creating(*(_table(model) for model in VOICE_TABLES)),
        ),
        Migration(
            "ix_administration_patient_at on (patient_id, at_s, id): ordered per-patient lookups",
            _administration_index_with_id,
        ),
        Migration(
            "review: prescriber reviews of the treatment (review-intervals)",
            creating(_table(ReviewRecord)),
        ),
        Migration(
            "ix_observation_bp_patient_at (PostgreSQL): blood pressure readings by patient, instant",
            _blood_pressure_index,
        ),
        Migration(
            "ix_administration_patient_at (PostgreSQL) includes day, drug, route, setting, keys",
            _covering_administration_index,
        ),
        Migration(
            "record tables (SQLite) in insertion order, pseudonyms unique by droppable ux_ indexes",
            store_records_in_insertion_order,
        ),
        Migration(
            "kept per-dose rows (dose_bp_signal, dose_short_interval, bp_signal_stale, triggers); "
            "observation indexes for safety-signals and efficacy",
            _kept_dose_rows_and_observation_indexes,
        ),
        Migration(
            "ix_observation_scores (PostgreSQL): rating-scale scores by patient, code, instant, id",
            _score_index,
        ),
        Migration(
            "adverse_event_attribution: each event's attributed administration, kept per patient",
            create_event_attribution_table,
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

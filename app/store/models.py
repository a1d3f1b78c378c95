"""SQLModel tables of the registry's minimum dataset (de-identified: pseudonyms and birth year only).

Instants are stored as UTC epoch seconds (``at_s``) and their UTC calendar date as a day number
(``day`` = days since 1970-01-01), so that windows and calendar quantities are plain integer
arithmetic that SQLite and PostgreSQL evaluate identically. ``row_hash`` is a digest of the mapped
record, used to tell unchanged rows from changed ones on re-import.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, LargeBinary, SmallInteger, Table, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

BP_CODES = ("SBP", "DBP")
"""Observation codes of a blood pressure reading (systolic, diastolic)."""
BP_INDEX = "ix_observation_bp_patient_at"
OBSERVATION_INDEX = "ix_observation_patient_code_at"
OBSERVATION_SCORE_INDEX = "ix_observation_patient_code_at_value"
"""SQLite's form of ``OBSERVATION_INDEX``: the same order, with id and value (migration 17)."""
SCREENING_CODES = ("ALT", "AST", "BPICSS")
"""Observation codes of safety-signals' liver and bladder populations."""
SCREENING_INDEX = "ix_observation_screening"
SCORE_CODES = ("MADRS", "PHQ9", "HAMD17", "QIDSSR16")
"""Observation codes of the rating scales efficacy scores (its instruments)."""
SCORE_INDEX = "ix_observation_scores"
"""PostgreSQL: the scores in (patient, code, instant, id) order with their value (migration 18)."""
ADMINISTRATION_INDEX = "ix_administration_patient_at"
ADMINISTRATION_INDEX_INCLUDES = ("day", "drug", "route", "setting", "record_key", "member_hash")
"""Columns ``ADMINISTRATION_INDEX`` carries on PostgreSQL besides its key (migration 15)."""


def unique_key_index(table: str, column: str = "id") -> Index:
    """Return the unique index that holds ``table``'s pseudonym key on SQLite (migration 16).

    On SQLite the record tables have no declared primary key: rows are stored in rowid order
    (the order they were inserted in) and the pseudonym is kept unique by this index, which a
    bulk load into an empty table drops and rebuilds from sorted keys (``StoreWriter``). The
    model keeps ``primary_key=True`` for SQLAlchemy and PostgreSQL, whose tables keep it.
    """
    return Index(f"ux_{table}_{column}", column, unique=True).ddl_if(dialect="sqlite")


class RecordBase(SQLModel, registry=registry()):
    """Base of the node's record tables; ``RecordBase.metadata`` holds only them."""


def _instant() -> int:
    return Field(sa_column=Column(BigInteger, nullable=False))  # type: ignore[no-any-return]


def _record_key() -> int | None:
    """A secret 0..255 per row, summed per cell into its cell key (``app.deid.record_keys``)."""
    return Field(default=None, sa_column=Column(SmallInteger, nullable=True))  # type: ignore[no-any-return]


def _member_hash() -> int | None:
    """A secret 32-bit number per row, summed per cell into its membership sketch."""
    return Field(default=None, sa_column=Column(BigInteger, nullable=True))  # type: ignore[no-any-return]


class PatientRecord(RecordBase, table=True):
    """A pseudonymised patient: no name, no national id, no exact birth date."""

    __tablename__ = "patient"
    __table_args__ = (unique_key_index("patient"),)

    id: str = Field(primary_key=True, max_length=64)
    birth_year: int
    sex: str = Field(max_length=16)
    diagnosis: str = Field(max_length=16)
    failed_trials: int | None = None
    substance_use_history: str | None = Field(default=None, max_length=16)
    psychosis_history: str | None = Field(default=None, max_length=16)
    row_hash: str = Field(max_length=64)
    record_key: int | None = _record_key()
    member_hash: int | None = _member_hash()


class AdministrationRecord(RecordBase, table=True):
    """One ketamine/esketamine administration."""

    __tablename__ = "administration"
    __table_args__ = (
        unique_key_index("administration"),
        # With id, a patient's administrations come in (instant, id) order, the measures' order.
        # On PostgreSQL it also carries the columns the measures read with that order (index,
        # attribution, dosing intervals, blood pressure timeline), so they read it without the
        # table (index-only scans); SQLite has no INCLUDE and keeps the three columns.
        Index(
            ADMINISTRATION_INDEX,
            "patient_id",
            "at_s",
            "id",
            postgresql_include=list(ADMINISTRATION_INDEX_INCLUDES),
        ),
        Index("ix_administration_day", "day"),
    )

    id: str = Field(primary_key=True, max_length=64)
    patient_id: str = Field(foreign_key="patient.id", max_length=64)
    at_s: int = _instant()
    day: int
    drug: str = Field(max_length=16)
    route: str = Field(max_length=16)
    dose_mg: float
    weight_kg: float | None = None
    setting: str = Field(max_length=24)
    row_hash: str = Field(max_length=64)
    record_key: int | None = _record_key()
    member_hash: int | None = _member_hash()


class DispenseRecord(RecordBase, table=True):
    """A take-home supply dispensed to a patient."""

    __tablename__ = "dispense"
    __table_args__ = (
        unique_key_index("dispense"),
        Index("ix_dispense_patient_day", "patient_id", "day"),
    )

    id: str = Field(primary_key=True, max_length=64)
    patient_id: str = Field(foreign_key="patient.id", max_length=64)
    at_s: int = _instant()
    day: int
    drug: str = Field(max_length=16)
    route: str = Field(max_length=16)
    quantity_mg: float
    days_supply: int
    row_hash: str = Field(max_length=64)
    record_key: int | None = _record_key()
    member_hash: int | None = _member_hash()


class ObservationRecord(RecordBase, table=True):
    """A rating-scale score, vital sign or liver test."""

    __tablename__ = "observation"
    __table_args__ = (
        unique_key_index("observation"),
        # A patient's readings of one code in instant order. On SQLite the index also carries id
        # and value, so efficacy's score lookups (latest, first, by id on ties) read no table row;
        # PostgreSQL keeps the three columns (a wider index there was measured at ~2x the size).
        Index(OBSERVATION_INDEX, "patient_id", "code", "at_s").ddl_if(dialect="postgresql"),
        Index(OBSERVATION_SCORE_INDEX, "patient_id", "code", "at_s", "id", "value").ddl_if(
            dialect="sqlite"
        ),
        # PostgreSQL only: the rating-scale scores (a small share of the observations) in the
        # order efficacy's lookups read them (latest or first by instant, then id), with their
        # value: index-only scans, no sort of the candidates and no heap fetch per lookup.
        Index(
            SCORE_INDEX,
            "patient_id",
            "code",
            "at_s",
            "id",
            postgresql_include=["value"],
            postgresql_where=text(f"code IN {SCORE_CODES!r}"),
        ).ddl_if(dialect="postgresql"),
        # PostgreSQL only: blood pressure readings in (patient, instant) order with their code and
        # value, read without the table by safety-signals' timeline (app.measures.safety_signals).
        Index(
            BP_INDEX,
            "patient_id",
            "at_s",
            postgresql_include=["code", "value"],
            postgresql_where=text(f"code IN {BP_CODES!r}"),
        ).ddl_if(dialect="postgresql"),
        # Both stores: the few liver tests and bladder scores with what safety-signals reads of
        # them (patient, instant, code, day, value), without a pass over every observation.
        Index(
            SCREENING_INDEX,
            "patient_id",
            "at_s",
            "code",
            "day",
            "value",
            postgresql_where=text(f"code IN {SCREENING_CODES!r}"),
            sqlite_where=text(f"code IN {SCREENING_CODES!r}"),
        ),
    )

    id: str = Field(primary_key=True, max_length=64)
    patient_id: str = Field(foreign_key="patient.id", max_length=64)
    at_s: int = _instant()
    day: int
    code: str = Field(max_length=16)
    value: float
    unit: str | None = Field(default=None, max_length=16)
    row_hash: str = Field(max_length=64)


class AdverseEventRecord(RecordBase, table=True):
    """An adverse event; ``administration_id`` is the pseudonym of the linked administration, if any."""

    __tablename__ = "adverse_event"
    __table_args__ = (
        unique_key_index("adverse_event"),
        Index("ix_adverse_event_patient_at", "patient_id", "at_s"),
    )

    id: str = Field(primary_key=True, max_length=64)
    patient_id: str = Field(foreign_key="patient.id", max_length=64)
    at_s: int = _instant()
    day: int
    event: str = Field(max_length=32)
    severity: str = Field(max_length=16)
    serious: bool
    outcome: str = Field(max_length=32)
    administration_id: str | None = Field(default=None, max_length=64)
    row_hash: str = Field(max_length=64)
    record_key: int | None = _record_key()
    member_hash: int | None = _member_hash()


class DiscontinuationRecord(RecordBase, table=True):
    """A patient stopping treatment; the id is a pseudonym of (patient, stop instant)."""

    __tablename__ = "discontinuation"
    __table_args__ = (
        unique_key_index("discontinuation"),
        Index("ix_discontinuation_patient_day", "patient_id", "day"),
    )

    id: str = Field(primary_key=True, max_length=64)
    patient_id: str = Field(foreign_key="patient.id", max_length=64)
    at_s: int = _instant()
    day: int
    reason: str = Field(max_length=32)
    row_hash: str = Field(max_length=64)


class IngestRun(RecordBase, table=True):
    """One `ketanet ingest` run: when, what, and per-file counts (JSON), never row values."""

    __tablename__ = "ingest_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: str = Field(max_length=40)
    finished_at: str | None = Field(default=None, max_length=40)
    mapping: str = Field(max_length=200)
    status: str = Field(max_length=16)
    counts_json: str = "{}"


class ErasedPatient(RecordBase, table=True):
    """A patient erased on request (withdrawal): later imports skip every row of theirs.

    Holds the patient's pseudonym only, never the source id.
    """

    __tablename__ = "erased_patient"

    patient_id: str = Field(primary_key=True, max_length=64)
    erased_at: str = Field(max_length=40)


class LinkageTokenRecord(RecordBase, table=True):
    """A patient's linkage token (docs/overlap.md): a keyed hash of name, birth date and sex.

    Kept apart from the patient row so that it is read only by the overlap measure and removed
    with the patient. Equal across nodes for the same person; it never leaves the node.
    """

    __tablename__ = "linkage_token"
    __table_args__ = (unique_key_index("linkage_token", "patient_id"),)

    patient_id: str = Field(primary_key=True, foreign_key="patient.id", max_length=64)
    token: bytes = Field(sa_column=Column(LargeBinary(32), nullable=False))


LINKAGE_TOKENS: Table = RecordBase.metadata.tables["linkage_token"]
"""The linkage token table."""

RECORD_TABLES = (
    PatientRecord,
    AdministrationRecord,
    DispenseRecord,
    ObservationRecord,
    AdverseEventRecord,
    DiscontinuationRecord,
)
"""Record tables in dependency order (patients first)."""


class ExperienceRecord(RecordBase, table=True):
    """One answered PREM item; ``response_id`` is the pseudonym of the questionnaire response."""

    __tablename__ = "experience"
    __table_args__ = (
        unique_key_index("experience"),
        Index("ix_experience_patient_item_at", "patient_id", "item", "at_s"),
    )

    id: str = Field(primary_key=True, max_length=64)
    response_id: str = Field(max_length=64)
    patient_id: str = Field(foreign_key="patient.id", max_length=64)
    at_s: int = _instant()
    day: int
    item: str = Field(max_length=32)
    answer: str = Field(max_length=32)
    row_hash: str = Field(max_length=64)


class ConsentRecord(RecordBase, table=True):
    """A consent or information record: written consent, information sheet, alternatives discussed."""

    __tablename__ = "consent"
    __table_args__ = (
        unique_key_index("consent"),
        Index("ix_consent_patient_kind_at", "patient_id", "kind", "at_s"),
    )

    id: str = Field(primary_key=True, max_length=64)
    patient_id: str = Field(foreign_key="patient.id", max_length=64)
    at_s: int = _instant()
    day: int
    kind: str = Field(max_length=32)
    row_hash: str = Field(max_length=64)


VOICE_TABLES = (ExperienceRecord, ConsentRecord)
"""Record tables of patients' voices and consent (migration 11), after ``RECORD_TABLES``."""


class ReviewRecord(RecordBase, table=True):
    """A prescriber review of a patient's treatment (the take-home review interval)."""

    __tablename__ = "review"
    __table_args__ = (
        unique_key_index("review"),
        Index("ix_review_patient_at", "patient_id", "at_s"),
    )

    id: str = Field(primary_key=True, max_length=64)
    patient_id: str = Field(foreign_key="patient.id", max_length=64)
    at_s: int = _instant()
    day: int
    row_hash: str = Field(max_length=64)


ADDED_RECORD_TABLES = (*VOICE_TABLES, ReviewRecord)
"""Record tables created by later migrations (``RECORD_TABLES`` are those of version 1)."""

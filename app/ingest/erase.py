"""Erasure: removing every record of one patient, found by recomputing the pseudonym.

The patient's pseudonym (never the source id) is also kept in ``erased_patient``, so that the
withdrawal sticks: every later import skips the patient's rows (counted as ``erased``).
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, Table, delete, select

from app.deid import pseudonymise_patient_id
from app.ingest.runs import ERASED, record_run, utc_now
from app.ingest.writer import TABLES
from app.store.models import RecordBase

ERASED_PATIENTS: Table = RecordBase.metadata.tables["erased_patient"]


def erase_patient(*, engine: Engine, secret: bytes, source_patient_id: str) -> int:
    """Delete the patient and all their records, and bar later imports of them.

    Returns the number of rows deleted (0 when the store held none; erasing again changes
    nothing). Raises ``ConfigError`` when the secret is too short.
    """
    pseudonym = pseudonymise_patient_id(secret, source_patient_id)
    deleted = 0
    started_at = utc_now()
    with engine.begin() as connection:
        _remember(connection, pseudonym, started_at)
        # Records first, the patient last: records reference the patient row.
        for kind, table in reversed(TABLES.items()):
            column = table.c.id if kind == "patient" else table.c.patient_id
            deleted += connection.execute(delete(table).where(column == pseudonym)).rowcount
        if deleted:
            # A new data version, so that no cached answer still counts the patient.
            record_run(
                connection,
                started_at=started_at,
                finished_at=utc_now(),
                mapping="erase",
                status=ERASED,
                counts={"deleted": deleted},
            )
    return deleted


def erased_patients(connection: Connection) -> frozenset[str]:
    """Return the pseudonyms of every erased patient (few: erasure is a rare, manual act)."""
    found = connection.execute(select(ERASED_PATIENTS.c.patient_id)).scalars()
    return frozenset(found)


def _remember(connection: Connection, pseudonym: str, erased_at: str) -> None:
    """Record the pseudonym as erased unless it already is (the first erasure time is kept)."""
    column = ERASED_PATIENTS.c.patient_id
    if connection.execute(select(column).where(column == pseudonym)).first() is None:
        connection.execute(
            ERASED_PATIENTS.insert().values(patient_id=pseudonym, erased_at=erased_at)
        )

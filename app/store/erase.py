"""Erasure: removing every record of one patient, by the patient's pseudonym.

The pseudonym (never the source id) is also kept in ``erased_patient``, so that the withdrawal
sticks: every later import skips the patient's rows (counted as ``erased``). The caller computes
the pseudonym (``app.deid.pseudonymise_patient_id``): the store never sees a source id or the
node's secret.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine, Table, delete, select

from app.store.dose_signals import refresh_dose_signals
from app.store.models import LINKAGE_TOKENS, RecordBase
from app.store.runs import ERASED, record_run, utc_stamp
from app.store.writer import TABLES

ERASED_PATIENTS: Table = RecordBase.metadata.tables["erased_patient"]


def erase_patient(*, engine: Engine, pseudonym: str, clock: Callable[[], float] = time.time) -> int:
    """Delete the patient ``pseudonym`` and all their records, and bar later imports of them.

    Returns the number of rows deleted (0 when the store held none; erasing again changes
    nothing).
    """
    deleted = 0
    started_at = utc_stamp(clock())
    with engine.begin() as connection:
        _remember(connection, pseudonym, started_at)
        # Records first, the patient last: records reference the patient row.
        deleted += connection.execute(
            delete(LINKAGE_TOKENS).where(LINKAGE_TOKENS.c.patient_id == pseudonym)
        ).rowcount
        for kind, table in reversed(TABLES.items()):
            column = table.c.id if kind == "patient" else table.c.patient_id
            deleted += connection.execute(delete(table).where(column == pseudonym)).rowcount
        # What the store derived from their records goes with them (the triggers marked them).
        refresh_dose_signals(connection)
        if deleted:
            # A new data version, so that no cached answer still counts the patient.
            record_run(
                connection,
                started_at=started_at,
                finished_at=utc_stamp(clock()),
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


def patient_known(*, engine: Engine, pseudonym: str) -> bool:
    """Return True when the store holds the patient ``pseudonym`` or has erased them before.

    ``ketanet node erase`` refuses an id the node never saw (a mistyped id must not leave an
    erasure behind that would bar some other patient's later imports).
    """
    patient = TABLES["patient"]
    with engine.connect() as connection:
        held = connection.execute(select(patient.c.id).where(patient.c.id == pseudonym)).first()
        if held is not None:
            return True
        column = ERASED_PATIENTS.c.patient_id
        return connection.execute(select(column).where(column == pseudonym)).first() is not None

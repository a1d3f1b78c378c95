"""Erasure: removing every record of one patient, found by recomputing the pseudonym."""

from __future__ import annotations

from sqlalchemy import Engine, delete

from app.deid import pseudonymise_patient_id
from app.ingest.runs import ERASED, record_run, utc_now
from app.ingest.writer import TABLES


def erase_patient(*, engine: Engine, secret: bytes, source_patient_id: str) -> int:
    """Delete the patient and all their records; return the number of rows deleted.

    Raises ``ConfigError`` when the secret is too short. A later export that still holds the
    patient would bring them back: erasure must reach the source system too.
    """
    pseudonym = pseudonymise_patient_id(secret, source_patient_id)
    deleted = 0
    started_at = utc_now()
    with engine.begin() as connection:
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

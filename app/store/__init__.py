"""The node's store: every table of the node database and every read and write of it.

Record tables of the minimum dataset (``models``), batched writes (``writer``), ingest runs and
the data version (``runs``), erasure (``erase``), record reads for FHIR (``resource_tables``), the
answer cache and ε ledger (``answer_cache``, ``privacy_ledger``) and the one migration list of
the node database (``migrations``).
"""

from app.database import create_store_engine
from app.store.erase import erase_patient, patient_known
from app.store.migrations import SCHEMA_VERSION, upgrade_schema
from app.store.models import (
    AdministrationRecord,
    AdverseEventRecord,
    DiscontinuationRecord,
    DispenseRecord,
    IngestRun,
    ObservationRecord,
    PatientRecord,
    RecordBase,
)
from app.store.runs import data_as_of, data_version

__all__ = [
    "SCHEMA_VERSION",
    "AdministrationRecord",
    "AdverseEventRecord",
    "DiscontinuationRecord",
    "DispenseRecord",
    "IngestRun",
    "ObservationRecord",
    "PatientRecord",
    "RecordBase",
    "create_store_engine",
    "data_as_of",
    "data_version",
    "erase_patient",
    "patient_known",
    "upgrade_schema",
]

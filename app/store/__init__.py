"""The node's record store: SQLModel tables of the minimum dataset, engines and schema versions."""

from app.database import create_store_engine
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
from app.store.schema import SCHEMA_VERSION, upgrade_schema

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
    "upgrade_schema",
]

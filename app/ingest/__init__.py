"""Ingest: composes sources → mapping → de-identification → profile → store for one export.

``ingest_export`` runs one transaction (all rows or, by default, none), ``erase_patient`` removes a
patient on request, ``check_mapping`` maps sample rows to a FHIR Bundle without storing anything.
"""

from app.ingest.check import check_mapping
from app.ingest.erase import erase_patient
from app.ingest.report import FileReport, IngestRejected, IngestReport
from app.ingest.run import ingest_export
from app.ingest.runs import data_as_of, data_version

__all__ = [
    "FileReport",
    "IngestRejected",
    "IngestReport",
    "check_mapping",
    "data_as_of",
    "data_version",
    "erase_patient",
    "ingest_export",
]

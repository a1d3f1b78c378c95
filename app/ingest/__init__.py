"""Ingest: composes sources → mapping → de-identification → profile → store for one export.

``ingest_export`` runs one transaction (all rows or, by default, none); ``check_mapping`` maps
sample rows to a FHIR Bundle without storing anything. The store writes the rows
(``app.store.writer``), records the run and erases patients on request.
"""

from app.ingest.check import check_mapping
from app.ingest.ingest_report import FileReport, IngestRejected, IngestReport
from app.ingest.transaction import ingest_export

__all__ = [
    "FileReport",
    "IngestRejected",
    "IngestReport",
    "check_mapping",
    "ingest_export",
]

"""The reference CSV export: one UTF-8 CSV file per record type, header row first (docs/dataset.md)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from app.synth.files import ExportFiles
from app.synth.records import CSV_FILES, PatientBundle


class CsvExportWriter(ExportFiles):
    """Writes patient bundles to the six reference CSV files of a folder, streaming row by row."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, list(CSV_FILES))
        self._writers: dict[str, Any] = {}
        for name, columns in CSV_FILES.items():
            writer = csv.writer(self._open(name, binary=False), lineterminator="\n")
            writer.writerow(columns)
            self._writers[name] = writer

    def write(self, bundle: PatientBundle) -> None:
        """Append one patient's rows to the files."""
        w, rows = self._writers, self.rows
        w["patients.csv"].writerow(bundle.patient)
        w["administrations.csv"].writerows(bundle.administrations)
        w["dispenses.csv"].writerows(bundle.dispenses)
        w["observations.csv"].writerows(bundle.observations)
        w["adverse_events.csv"].writerows(bundle.adverse_events)
        w["discontinuations.csv"].writerows(d[:3] for d in bundle.discontinuations)
        rows["patients.csv"] += 1
        rows["administrations.csv"] += len(bundle.administrations)
        rows["dispenses.csv"] += len(bundle.dispenses)
        rows["observations.csv"] += len(bundle.observations)
        rows["adverse_events.csv"] += len(bundle.adverse_events)
        rows["discontinuations.csv"] += len(bundle.discontinuations)
        w["reviews.csv"].writerows(bundle.reviews)
        rows["reviews.csv"] += len(bundle.reviews)
        w["experience.csv"].writerows(bundle.experience)
        w["consents.csv"].writerows(bundle.consents)
        rows["experience.csv"] += len(bundle.experience)
        rows["consents.csv"] += len(bundle.consents)

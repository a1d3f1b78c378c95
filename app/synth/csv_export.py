"""The reference CSV export: one UTF-8 CSV file per record type, header row first (DESIGN.md §6)."""

from __future__ import annotations

import csv
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from app.synth.records import CSV_FILES, PatientBundle


class CsvExportWriter:
    """Writes patient bundles to the six reference CSV files of a folder, streaming row by row."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self._files: list[IO[str]] = []
        self._writers: dict[str, Any] = {}
        self.rows: dict[str, int] = dict.fromkeys(CSV_FILES, 0)
        for name, columns in CSV_FILES.items():
            handle = (folder / name).open("w", encoding="utf-8", newline="")
            self._files.append(handle)
            writer = csv.writer(handle, lineterminator="\n")
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

    def close(self) -> None:
        """Flush and close every file; drop a file that got no rows (a header-only file is refused)."""
        for handle in self._files:
            handle.close()
        for name, count in self.rows.items():
            if count == 0:
                (self.folder / name).unlink(missing_ok=True)

    def __enter__(self) -> CsvExportWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

"""What an ingest run reports: per-file counts, every issue (file, line, field, rule), rejects CSV."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from app.errors import InputError, Issue

MAX_ISSUES_KEPT = 100_000
"""Issues kept in memory for the report; all of them go to the rejects file when there is one."""


COUNTERS = ("read", "valid", "inserted", "updated", "unchanged", "rejected", "skipped", "erased")
"""Every per-file counter, in report order."""
STORE_COUNTERS = ("inserted", "updated", "unchanged")
"""Counters that compare valid rows with the store (what was, or a dry run would be, stored)."""


@dataclass
class FileReport:
    """Counts for one export file.

    ``valid`` rows passed every check; they are ``inserted``, ``updated`` or ``unchanged`` when
    stored (or, in a dry run, would be). ``skipped`` rows were left out by a row filter, ``erased``
    rows belong to an erased patient and are never stored again.
    """

    file: str
    kind: str
    read: int = 0
    valid: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    erased: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the counts as a plain dict."""
        return asdict(self)


@dataclass
class IngestReport:
    """The outcome of an ingest run (or a mapping check)."""

    mapping: str
    files: list[FileReport] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    issue_count: int = 0
    warnings: list[Issue] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False
    compared: bool = True
    """False when ``inserted``/``updated``/``unchanged`` say nothing: the valid rows were not
    compared with the store (a rejected atomic run, or a dry run on an outdated schema)."""
    run_id: int | None = None
    started_at: str | None = None
    finished_at: str | None = None
    rejects_path: str | None = None

    def total(self, counter: str) -> int:
        """Return the sum of one counter (``read``, ``inserted``, ...) over all files."""
        return sum(int(getattr(report, counter)) for report in self.files)

    @property
    def total_inserted(self) -> int:
        """Return the records inserted over all files."""
        return self.total("inserted")

    @property
    def total_updated(self) -> int:
        """Return the records updated over all files."""
        return self.total("updated")

    @property
    def total_rejected(self) -> int:
        """Return the rows rejected over all files."""
        return self.total("rejected")

    def discard_store_counts(self) -> None:
        """Zero the store counters of every file: nothing of this run was (or would be) stored."""
        self.compared = False
        for report in self.files:
            for counter in STORE_COUNTERS:
                setattr(report, counter, 0)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-ready dict (issues as ``file:line:field: rule`` strings).

        ``stored`` tells whether anything was stored; when it is false, ``inserted``, ``updated``
        and ``unchanged`` are what a dry run would store (``compared``), else 0, and ``valid``
        counts the rows that passed every check.
        """
        return {
            "mapping": self.mapping,
            "stored": self.committed,
            "committed": self.committed,
            "dry_run": self.dry_run,
            "compared": self.compared,
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "files": [report.as_dict() for report in self.files],
            "totals": {counter: self.total(counter) for counter in COUNTERS},
            "issue_count": self.issue_count,
            "issues": [str(issue) for issue in self.issues],
            "warnings": [str(warning) for warning in self.warnings],
            "rejects_path": self.rejects_path,
        }


class IngestRejected(InputError):
    """An export with invalid rows: nothing was stored; ``report`` says what was found."""

    def __init__(self, report: IngestReport) -> None:
        super().__init__(
            f"{report.issue_count} problem(s) in the export; nothing was stored",
            issues=report.issues,
        )
        self.report = report


class IssueLog:
    """Collects issues: the first ``MAX_ISSUES_KEPT`` in memory, all in the rejects CSV if any."""

    def __init__(self, rejects: TextIO | None = None) -> None:
        self.kept: list[Issue] = []
        self.count = 0
        self._writer = csv.writer(rejects) if rejects is not None else None
        if self._writer is not None:
            self._writer.writerow(["file", "line", "field", "rule"])

    def add(self, issue: Issue) -> None:
        """Record one issue."""
        self.count += 1
        if len(self.kept) < MAX_ISSUES_KEPT:
            self.kept.append(issue)
        if self._writer is not None:
            line = "" if issue.line is None else issue.line
            self._writer.writerow([issue.file or "", line, issue.field or "", issue.rule])


def open_rejects(path: Path | None) -> TextIO | None:
    """Open the rejects CSV for writing (``None`` when no path is given)."""
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w", encoding="utf-8", newline="")

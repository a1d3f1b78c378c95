"""The row path of an ingest: read → map → de-identify → validate → store row, in batches.

``RecordPipeline.batches`` streams valid store rows batch by batch (patients first, so references
can be checked and foreign keys hold) and logs every problem as an ``Issue``. It holds only what it
must: the current batch, the patient pseudonyms of the run, and 64-bit fingerprints of record ids
(to find duplicates). Rows of an erased patient are counted (``erased``) and left out before they
are checked: a withdrawal is not an error. Shared by ``ingest_export`` (which writes the batches) and the mapping check.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.deid import Deidentifier, Pseudonymiser
from app.deid.record_keys import RecordKeyer
from app.errors import Issue
from app.ingest.fingerprints import FingerprintSet, fingerprints
from app.ingest.ingest_report import FileReport, IssueLog
from app.ingest.plan import ExportPlan
from app.ingest.row_path import (
    Dropped,
    Outcome,
    RowPath,
    can_fork,
    parallel_outcomes,
    readable,
)
from app.linkage import LinkageTokeniser
from app.mapping import JoinIndex, RecordMapping, RowMapper
from app.profiles import RECORD_FIELDS, RecordValidator
from app.sources import SourceReader, SourceRow, open_source, unnest

BATCH_ROWS = 2_000
PARALLEL_AFTER = 5_000
"""Rows of a file handled in this process before worker processes take the rest (small files never fork)."""
UNKNOWN_PATIENT = "unknown patient reference"
DUPLICATE_ID = "duplicate id in the export"


@dataclass
class Batch:
    """Valid store rows of one kind from one file, ready to write."""

    kind: str
    report: FileReport
    rows: list[dict[str, Any]]


class RecordPipeline:
    """Streams an export planned by ``plan`` as batches of de-identified, validated store rows."""

    def __init__(
        self,
        plan: ExportPlan,
        *,
        pseudonymiser: Pseudonymiser,
        issues: IssueLog,
        record_keys: RecordKeyer | None = None,
        tokeniser: LinkageTokeniser | None = None,
        patient_in_store: Callable[[str], bool] = lambda _pseudonym: False,
        erased: frozenset[str] = frozenset(),
        limit: int | None = None,
        progress: Callable[[int], None] | None = None,
        workers: int = 0,
    ) -> None:
        self.plan = plan
        self.issues = issues
        self.reports: list[FileReport] = []
        self.warnings: list[Issue] = []
        self._deid = Deidentifier(pseudonymiser, RECORD_FIELDS, tokeniser=tokeniser)
        self._record_keys = record_keys
        self._validator = RecordValidator()
        self._patient_in_store = patient_in_store
        self._erased = erased
        self._limit = limit
        self._progress = progress
        self._patients: set[str] = set()
        self._absent_patients: set[str] = set()
        self._rows_told = 0
        self._workers = workers if can_fork() else 0

    def batches(self) -> Iterator[Batch]:
        """Yield batches of valid store rows, kind by kind in dependency order."""
        for kind, files in self.plan.files.items():
            record = self.plan.mapping.records[kind]
            joins, join_reports = self._load_joins(kind, record)
            seen = FingerprintSet()
            for path in files:
                yield from self._read_file(kind, record, path, joins, seen)
            # A sample (limit) leaves most joined rows unused: nothing to report then.
            for index in joins.values() if self._limit is None else ():
                for issue in index.unused():
                    join_reports[issue.file or ""].rejected += 1
                    self.issues.add(issue)

    def _read_file(
        self,
        kind: str,
        record: RecordMapping,
        path: Path,
        joins: dict[str, JoinIndex],
        seen: FingerprintSet,
    ) -> Iterator[Batch]:
        report = FileReport(path.name, kind)
        self.reports.append(report)
        reader = open_source(path, fmt=record.source.format, delimiter=record.source.delimiter)
        outcomes: Generator[tuple[SourceRow, Outcome]] | None = None
        try:
            if record.source.format == "csv" and reader.header is None:
                self._log_unreadable(reader)
                return
            mapper, errors, warnings = record.bind(path.name, reader.header, joins)
            self.warnings.extend(warnings)
            if mapper is None:
                for error in errors:
                    self.issues.add(error)
                return
            pending: list[tuple[dict[str, Any], int]] = []
            rows = reader if record.source.each is None else unnest(reader, record.source.each)
            outcomes = self._outcomes(kind, mapper, rows)
            limit = self._limit
            for row, outcome in outcomes:
                store_row: dict[str, Any] | None
                if outcome.__class__ is tuple:
                    # A good row (the common case, kept short: ``_settle`` without its branches).
                    report.read += 1
                    store_row, reference = outcome  # type: ignore[misc]
                    issues = self._reference_issues(kind, reference, mapper, row.line)
                    if issues:
                        self._reject(report, issues)
                        store_row = None
                elif row.values is None or row.issues:
                    # The reader could not split the row properly (bad bytes, wrong field count,
                    # bad JSON); its own issue says exactly where, so the row is not mapped.
                    report.read += 1 if row.line else 0
                    report.rejected += 1 if row.line else 0
                    for issue in row.issues or ():
                        self.issues.add(issue)
                    continue
                else:
                    report.read += 1
                    store_row = self._settle(kind, mapper, outcome, row.line, report)
                if store_row is not None:
                    pending.append((store_row, row.line))
                    if len(pending) >= BATCH_ROWS:
                        yield self._deduplicated(kind, report, pending, seen, mapper)
                        pending = []
                        self._tick()
                if limit is not None and report.read >= limit:
                    break
            if pending:
                yield self._deduplicated(kind, report, pending, seen, mapper)
        finally:
            if outcomes is not None:
                outcomes.close()  # stops the worker processes at once, also on an error
            reader.close()
            self._tick()

    def _outcomes(
        self, kind: str, mapper: RowMapper, rows: Iterable[SourceRow]
    ) -> Generator[tuple[SourceRow, Outcome]]:
        """Pair every source row with what the row path made of it, in file order.

        The first ``PARALLEL_AFTER`` rows of a file go through this process; with ``workers`` the
        rest go to that many worker processes in chunks and come back in order (file order is what the
        reference check, the duplicate check and the issue log rely on).
        """
        row_path = RowPath(
            kind, mapper, self._deid, self._validator, self._record_keys, self._erased
        )
        iterator = iter(rows)
        for count, row in enumerate(iterator, start=1):
            yield row, row_path.outcome(row.values, row.line) if readable(row) else None
            if count >= PARALLEL_AFTER and self._workers and self._limit is None:
                yield from parallel_outcomes(row_path, iterator, workers=self._workers)
                return

    def _tick(self) -> None:
        """Tell the progress callback how many more rows were read since it was last told."""
        if self._progress is None:
            return
        total = sum(report.read for report in self.reports)
        if total > self._rows_told:
            self._progress(total - self._rows_told)
            self._rows_told = total

    def _settle(
        self,
        kind: str,
        mapper: RowMapper,
        outcome: Outcome,
        line: int,
        report: FileReport,
    ) -> dict[str, Any] | None:
        """Count a row's outcome; return its store row when the row is valid and its patient known."""
        if outcome is Dropped.SKIPPED:
            report.skipped += 1
            return None
        if outcome is Dropped.ERASED:
            report.erased += 1
            return None
        if isinstance(outcome, list):
            self._reject(report, outcome)
            return None
        if outcome is None:  # pragma: no cover - unreadable rows are counted before settling
            return None
        store_row, reference = outcome
        issues = self._reference_issues(kind, reference, mapper, line)
        if issues:
            self._reject(report, issues)
            return None
        return store_row

    def _reference_issues(
        self, kind: str, patient: str, mapper: RowMapper, line: int
    ) -> list[Issue] | None:
        if kind == "patient":
            self._patients.add(patient)
            return None
        if patient in self._patients or self._known_in_store(patient):
            return None
        return [Issue(UNKNOWN_PATIENT, mapper.file, line, mapper.labels.get("patient_id"))]

    def _known_in_store(self, patient: str) -> bool:
        if patient in self._absent_patients:
            return False
        if self._patient_in_store(patient):
            self._patients.add(patient)
            return True
        self._absent_patients.add(patient)
        return False

    def _reject(self, report: FileReport, issues: list[Issue]) -> None:
        report.rejected += 1
        for issue in issues:
            self.issues.add(issue)

    def _deduplicated(
        self,
        kind: str,
        report: FileReport,
        pending: list[tuple[dict[str, Any], int]],
        seen: FingerprintSet,
        mapper: RowMapper,
    ) -> Batch:
        duplicates = seen.add_batch(fingerprints([row["id"] for row, _line in pending]))
        if True not in duplicates:
            return Batch(kind, report, [row for row, _line in pending])
        label = mapper.labels.get("id") or "+".join(
            mapper.labels.get(name, name) for name in _derived_from(kind)
        )
        rows = []
        for (row, line), duplicate in zip(pending, duplicates, strict=True):
            if duplicate:
                self._reject(report, [Issue(DUPLICATE_ID, mapper.file, line, label)])
            else:
                rows.append(row)
        return Batch(kind, report, rows)

    def _load_joins(
        self, kind: str, record: RecordMapping
    ) -> tuple[dict[str, JoinIndex], dict[str, FileReport]]:
        indexes: dict[str, JoinIndex] = {}
        reports: dict[str, FileReport] = {}
        for alias, paths in self.plan.join_files.get(kind, {}).items():
            source = record.joins[alias].source
            index = record.new_join_index(alias)
            for path in paths:
                report = reports[path.name] = FileReport(path.name, f"{kind}:{alias}")
                self.reports.append(report)
                reader = open_source(path, fmt=source.format, delimiter=source.delimiter)
                try:
                    self._index_join_file(record, alias, index, reader, report)
                finally:
                    reader.close()
            indexes[alias] = index
        return indexes, reports

    def _index_join_file(
        self,
        record: RecordMapping,
        alias: str,
        index: JoinIndex,
        reader: SourceReader,
        report: FileReport,
    ) -> None:
        if index.header is None:
            index.header = reader.header
        elif reader.header != index.header:
            self.issues.add(
                Issue("header differs from the first file of this source", reader.name, 1)
            )
            return
        key, missing = record.join_key_getter(alias, reader.header)
        for column in missing:
            self.issues.add(Issue("required column missing", reader.name, 1, column))
        if missing:
            return
        resource = record.joins[alias].source.resource
        for row in reader:
            report.read += 1 if row.line else 0
            problem: list[Issue] | None = row.issues
            if row.values is not None and not problem:
                wrong_type = isinstance(row.values, dict) and (
                    row.values.get("resourceType") != resource
                )
                if resource is not None and wrong_type:
                    problem = [Issue(f"resourceType is not {resource}", reader.name, row.line)]
                else:
                    issue = index.add(key, row.values, reader.name, row.line)
                    problem = [issue] if issue is not None else None
            if problem:
                report.rejected += 1 if row.line else 0
                for issue in problem:
                    self.issues.add(issue)

    def _log_unreadable(self, reader: SourceReader) -> None:
        for row in reader:
            for issue in row.issues or ():
                self.issues.add(issue)


def _derived_from(kind: str) -> tuple[str, ...]:
    for definition in RECORD_FIELDS[kind]:
        if definition.name == "id":
            return definition.derive_from
    return ()

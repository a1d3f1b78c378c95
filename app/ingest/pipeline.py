"""The row path of an ingest: read → map → de-identify → validate → store row, in batches.

``RecordPipeline.batches`` streams valid store rows batch by batch (patients first, so references
can be checked and foreign keys hold) and logs every problem as an ``Issue``. It holds only what it
must: the current batch, the patient pseudonyms of the run, and 64-bit fingerprints of record ids
(to find duplicates). Rows of an erased patient are counted (``erased``) and left out before they
are checked: a withdrawal is not an error. Shared by ``ingest_export`` (which writes the batches) and the mapping check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path
from typing import Any

import orjson

from app.deid import Deidentifier, Pseudonymiser
from app.deid.record_keys import RecordKeyer
from app.errors import Issue
from app.ingest.fingerprints import FingerprintSet, fingerprint
from app.ingest.ingest_report import FileReport, IssueLog
from app.ingest.plan import ExportPlan
from app.linkage import LinkageTokeniser
from app.mapping import JoinIndex, RecordMapping, RowMapper
from app.profiles import RECORD_FIELDS, RecordValidator, to_store_row
from app.sources import SourceReader, open_source, unnest

BATCH_ROWS = 2_000
UNKNOWN_PATIENT = "unknown patient reference"
DUPLICATE_ID = "duplicate id in the export"


@dataclass
class Batch:
    """Valid store rows of one kind from one file, ready to write."""

    kind: str
    report: FileReport
    rows: list[dict[str, Any]]


def row_hash(row: dict[str, Any]) -> str:
    """Return the digest of a store row's values (tells a changed row from an unchanged one)."""
    return blake2b(
        orjson.dumps(tuple(row.values()), default=_hex_of_bytes), digest_size=16
    ).hexdigest()


def _hex_of_bytes(value: object) -> str:
    """JSON form of the one non-JSON value a store row holds: a linkage token (bytes)."""
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(type(value).__name__)


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
            for row in rows:
                if row.values is None or row.issues:
                    # The reader could not split the row properly (bad bytes, wrong field count,
                    # bad JSON); its own issue says exactly where, so the row is not mapped.
                    report.read += 1 if row.line else 0
                    report.rejected += 1 if row.line else 0
                    for issue in row.issues or ():
                        self.issues.add(issue)
                    continue
                report.read += 1
                store_row = self._process(kind, mapper, row.values, row.line, report)
                if store_row is not None:
                    pending.append((store_row, row.line))
                    if len(pending) >= BATCH_ROWS:
                        yield self._deduplicated(kind, report, pending, seen, mapper)
                        pending = []
                        self._tick()
                if self._limit is not None and report.read >= self._limit:
                    break
            if pending:
                yield self._deduplicated(kind, report, pending, seen, mapper)
        finally:
            reader.close()
            self._tick()

    def _tick(self) -> None:
        """Tell the progress callback how many more rows were read since it was last told."""
        if self._progress is None:
            return
        total = sum(report.read for report in self.reports)
        if total > self._rows_told:
            self._progress(total - self._rows_told)
            self._rows_told = total

    def _process(
        self,
        kind: str,
        mapper: RowMapper,
        values: Any,
        line: int,
        report: FileReport,
    ) -> dict[str, Any] | None:
        mapped, issues = mapper.map(values, line)
        if mapped is None:
            if issues is None:
                report.skipped += 1
                return None
            self._reject(report, issues)
            return None
        record = self._deid.apply(kind, mapped)
        if self._erased and record.get("id" if kind == "patient" else "patient_id") in self._erased:
            report.erased += 1
            return None
        problems = self._validator.validate(kind, record)
        if problems:
            unreadable = bool(issues)
            issues = issues or []
            for name, rule in problems:
                # A field the mapping could not read is already reported; derived ones follow it.
                if name in mapped or not unreadable:
                    issues.append(Issue(rule, mapper.file, line, mapper.labels.get(name, name)))
        if not issues:
            issues = self._reference_issues(kind, record, mapper, line)
        if issues:
            self._reject(report, issues)
            return None
        store_row = to_store_row(kind, record)
        store_row["row_hash"] = row_hash(store_row)
        if self._record_keys is not None:
            # After the hash: keys derive from the id, so they never make a row look changed.
            self._record_keys.add_keys(kind, store_row)
        return store_row

    def _reference_issues(
        self, kind: str, record: dict[str, Any], mapper: RowMapper, line: int
    ) -> list[Issue] | None:
        if kind == "patient":
            self._patients.add(record["id"])
            return None
        patient = record["patient_id"]
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
        duplicates = seen.add_batch([fingerprint(row["id"]) for row, _line in pending])
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

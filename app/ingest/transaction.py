"""``ingest_export``: one transaction per run; by default all rows or none."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine

from app.database import sqlite_foreign_keys_off
from app.deid import Pseudonymiser
from app.deid.record_keys import RecordKeyer
from app.ingest.dry_run import read_only_store
from app.ingest.ingest_report import (
    FileReport,
    IngestRejected,
    IngestReport,
    IssueLog,
    open_rejects,
)
from app.ingest.pipeline import Batch, RecordPipeline
from app.ingest.plan import ExportPlan, plan_export
from app.ingest.record_keys import assign_record_keys
from app.linkage import LinkageTokeniser
from app.store.dose_signals import refresh_dose_signals
from app.store.erase import erased_patients
from app.store.runs import record_run, utc_stamp
from app.store.writer import open_store_writer, store_holds_patients

log = logging.getLogger("ketanet.ingest")
BULK_CACHE_KIB = 32 * 1024
"""SQLite page cache of an ingest's connection (KiB); SQLite's own default is 2 MiB."""


def ingest_export(
    *,
    engine: Engine,
    paths: list[Path],
    secret: bytes,
    timezone: str,
    linkage_secret: bytes | None = None,
    mapping: Path | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    progress: Callable[[int], None] | None = None,
    clock: Callable[[], float] = time.time,
    workers: int = 0,
) -> IngestReport:
    """Map, de-identify, validate and store an export; return the per-file report.

    The store's schema must be current (``upgrade_schema``), except for a dry run, which only
    reads, never creates a missing database, and validates only on another schema version.
    Rows of erased patients are skipped. Raises ``IngestRejected`` (an ``InputError``) when a row
    breaks a rule and ``skip_invalid`` is off: then nothing is stored and the report's store
    counts are 0. ``InputError`` for a bad mapping or missing files, ``ConfigError`` for a short
    secret. ``clock`` stamps the run (its start and finish, the node's ``data_as_of``). With
    ``linkage_secret`` each patient's linkage token is stored too (docs/overlap.md). With
    ``workers`` (> 0), the rows of a large file are mapped, de-identified and validated by that many
    forked worker processes, while this process reads the files, settles the rows in file order and
    writes the store; call it so only from a process without other threads (the CLI): forking
    copies their locks as they are.
    """
    tokeniser = LinkageTokeniser(linkage_secret) if linkage_secret is not None else None
    plan = plan_export(paths, mapping=mapping, timezone=timezone)
    report = IngestReport(mapping=plan.mapping.name, dry_run=dry_run, started_at=utc_stamp(clock()))
    report.warnings.extend(plan.warnings)
    rejects = open_rejects(rejects_path)
    report.rejects_path = str(rejects_path) if rejects_path is not None else None
    with older_objects_left_out():
        try:
            issues = IssueLog(rejects)
            run = _dry_run if dry_run else _store
            run(
                engine,
                plan,
                report,
                issues,
                secret=secret,
                tokeniser=tokeniser,
                skip_invalid=skip_invalid,
                progress=progress,
                clock=clock,
                workers=workers,
            )
        finally:
            if rejects is not None:
                rejects.close()
    log.info(
        "ingest %s: read %d, inserted %d, updated %d, rejected %d, erased %d, committed %s",
        report.mapping,
        report.total("read"),
        report.total("inserted"),
        report.total("updated"),
        report.total("rejected"),
        report.total("erased"),
        report.committed,
    )
    if report.issue_count and not skip_invalid:
        raise IngestRejected(report)
    return report


@contextmanager
def older_objects_left_out() -> Iterator[None]:
    """Leave every object older than the run out of the garbage collector's walks, for the run.

    An ingest makes a few short-lived containers per row and no reference cycles; CPython still
    walks every live object of the process (the imports' ~150,000) at each full collection, which
    cost 0.4-0.6 us per record. ``gc.freeze`` moves them to a generation the collector skips;
    ``gc.unfreeze`` gives them back at the end. In a process whose start-up objects are frozen
    already (``app.cli.heap``, the servers) nothing is changed.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _store(
    engine: Engine,
    plan: ExportPlan,
    report: IngestReport,
    issues: IssueLog,
    *,
    secret: bytes,
    tokeniser: LinkageTokeniser | None,
    skip_invalid: bool,
    progress: Callable[[int], None] | None,
    clock: Callable[[], float],
    workers: int,
) -> None:
    """Write the valid rows in one transaction; commit unless an atomic run found a problem."""
    with (
        engine.connect() as connection,
        sqlite_load_settings(connection) as end_bulk_cache,
        connection.begin() as transaction,
        open_store_writer(connection) as writer,
    ):
        pipeline = RecordPipeline(
            plan,
            pseudonymiser=Pseudonymiser(secret),
            record_keys=RecordKeyer(secret),
            tokeniser=tokeniser,
            issues=issues,
            patient_in_store=writer.patient_exists,
            erased=erased_patients(connection),
            progress=progress,
            workers=workers,
        )

        _drain(
            pipeline,
            lambda batch: writer.write(batch.kind, batch.rows, tag=batch.report),
            issues=issues,
            atomic=not skip_invalid,
        )
        rejected = bool(issues.count and not skip_invalid)
        if not rejected:
            end_bulk_cache()  # the index rebuilds of ``finish`` sort within the page cache's size
            for tag, counts in writer.finish():
                _add_counts(tag, counts)
            # Rows an earlier release stored without keys (tables filled from empty have none).
            assign_record_keys(connection, secret, complete=writer.filled_from_empty())
            # The per-dose signals of the patients this run changed, in the same transaction.
            refresh_dose_signals(connection)
        _finish(report, pipeline, issues, finished_at=utc_stamp(clock()))
        if rejected:
            writer.close()  # nothing of the run is kept: no merge, no index rebuild
            transaction.rollback()
            report.discard_store_counts()
            return
        report.run_id = record_run(
            connection,
            started_at=report.started_at,
            finished_at=report.finished_at,
            mapping=report.mapping,
            status="partial" if report.issue_count else "ok",
            counts={
                "files": {file.file: file.as_dict() for file in report.files},
                "issues": report.issue_count,
            },
        )
        transaction.commit()
        report.committed = True


@contextmanager
def sqlite_load_settings(connection: Connection) -> Iterator[Callable[[], None]]:
    """Set an SQLite connection up for a run before its transaction begins; yield the cache's end.

    A store without patients has every record table empty (foreign keys), so the run fills them
    all from empty: rows appended in rowid order, every index (the key indexes too) rebuilt from
    sorted keys at the end, and the references checked once, set-based, before commit
    (``StoreWriter.finish``); foreign keys are off for the run and SQLite's default page cache
    does (at 1,220,000 records 21.6-22.1 s CPU against 20.6-26.5 s with the bulk cache, and 31 MiB
    less peak memory). Into a filled store, rows go into existing indexes at random places (the
    bulk cache) and foreign keys are checked row by row: a pass over every table the run touched
    would cost more than the rows it wrote. Nothing is changed on other databases.
    """
    if connection.dialect.name != "sqlite":
        yield lambda: None
    elif store_holds_patients(connection):
        with bulk_page_cache(connection) as end:
            yield end
    else:
        with sqlite_foreign_keys_off(connection):
            yield lambda: None


@contextmanager
def bulk_page_cache(connection: Connection) -> Iterator[Callable[[], None]]:
    """Give an SQLite connection a larger page cache for the run, then its default back.

    A run into tables that already hold rows inserts into their indexes keyed by random
    pseudonyms; with SQLite's default 2 MiB cache most inserts evict a page that a later one reads
    back. The cache is fixed (not sized by the export), so memory stays flat as exports grow. The
    callable yielded gives the default back early: SQLite's sorter may hold as much as the page
    cache in memory, so index rebuilds at the bulk size would add its size again to the run's peak.
    """
    # On the driver's connection: a PRAGMA through SQLAlchemy would begin its transaction early.
    driver = connection.connection.driver_connection
    assert driver is not None  # an open connection has its driver's
    (default,) = driver.execute("PRAGMA cache_size").fetchone()
    driver.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")

    def end() -> None:
        driver.execute(f"PRAGMA cache_size = {int(default)}")

    try:
        yield end
    finally:
        end()


def _dry_run(
    engine: Engine,
    plan: ExportPlan,
    report: IngestReport,
    issues: IssueLog,
    *,
    secret: bytes,
    tokeniser: LinkageTokeniser | None,
    skip_invalid: bool,
    progress: Callable[[int], None] | None,
    clock: Callable[[], float],
    workers: int,
) -> None:
    """Validate and count against a read-only view of the store; write nothing anywhere.

    The counts are those the same ingest would give: none stored when an atomic run has a problem,
    and only valid rows when the store cannot be compared.
    """
    with read_only_store(engine) as view:
        report.warnings.extend(view.warnings)
        pipeline = RecordPipeline(
            plan,
            pseudonymiser=Pseudonymiser(secret),
            tokeniser=tokeniser,
            issues=issues,
            patient_in_store=view.patient_in_store,
            erased=view.erased,
            progress=progress,
            workers=workers,
        )
        count = view.count
        _drain(
            pipeline,
            None if count is None else lambda batch: count(batch.kind, batch.rows),
            issues=issues,
            atomic=not skip_invalid,
        )
        _finish(report, pipeline, issues, finished_at=utc_stamp(clock()))
        if view.count is None or (issues.count and not skip_invalid):
            report.discard_store_counts()


def _drain(
    pipeline: RecordPipeline,
    count: Callable[[Batch], tuple[int, int, int]] | None,
    *,
    issues: IssueLog,
    atomic: bool,
) -> None:
    """Run the pipeline: count every batch's valid rows, and store or compare them with ``count``.

    Once an atomic run has a problem nothing of it will be stored, so ``count`` is not called any
    more (its writes would only be rolled back).
    """
    for batch in pipeline.batches():
        batch.report.valid += len(batch.rows)
        if count is None or (atomic and issues.count):
            continue
        _add_counts(batch.report, count(batch))


def _add_counts(report: object, counts: tuple[int, int, int]) -> None:
    """Add (inserted, updated, unchanged) to a file's report (the tag a writer was given)."""
    assert isinstance(report, FileReport)
    inserted, updated, unchanged = counts
    report.inserted += inserted
    report.updated += updated
    report.unchanged += unchanged


def _finish(
    report: IngestReport, pipeline: RecordPipeline, issues: IssueLog, *, finished_at: str
) -> None:
    report.files = pipeline.reports
    report.warnings.extend(pipeline.warnings)
    report.issues = issues.kept
    report.issue_count = issues.count
    report.finished_at = finished_at

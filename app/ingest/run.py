"""``ingest_export``: one transaction per run; by default all rows or none."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from app.deid import Pseudonymiser
from app.ingest.pipeline import RecordPipeline
from app.ingest.plan import plan_export
from app.ingest.report import IngestRejected, IngestReport, IssueLog, open_rejects
from app.ingest.runs import record_run, utc_now
from app.ingest.writer import StoreWriter

log = logging.getLogger("ketanet.ingest")


def ingest_export(
    *,
    engine: Engine,
    paths: list[Path],
    secret: bytes,
    timezone: str,
    mapping: Path | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Map, de-identify, validate and store an export; return the per-file report.

    Raises ``IngestRejected`` (an ``InputError``) when a row breaks a rule and ``skip_invalid`` is
    off: then nothing is stored. ``InputError`` for a bad mapping or missing files, ``ConfigError``
    for a short secret.
    """
    plan = plan_export(paths, mapping=mapping, timezone=timezone)
    report = IngestReport(mapping=plan.mapping.name, dry_run=dry_run, started_at=utc_now())
    report.warnings.extend(plan.warnings)
    rejects = open_rejects(rejects_path)
    report.rejects_path = str(rejects_path) if rejects_path is not None else None
    try:
        issues = IssueLog(rejects)
        with engine.connect() as connection, connection.begin() as transaction:
            writer = StoreWriter(connection)
            pipeline = RecordPipeline(
                plan,
                pseudonymiser=Pseudonymiser(secret),
                issues=issues,
                patient_in_store=writer.patient_exists,
                progress=progress,
            )
            for batch in pipeline.batches():
                inserted, updated, unchanged = writer.write(batch.kind, batch.rows)
                batch.report.inserted += inserted
                batch.report.updated += updated
                batch.report.unchanged += unchanged
            writer.finish()
            report.files = pipeline.reports
            report.warnings.extend(pipeline.warnings)
            report.issues = issues.kept
            report.issue_count = issues.count
            report.finished_at = utc_now()
            if dry_run or (issues.count and not skip_invalid):
                transaction.rollback()
            else:
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
    finally:
        if rejects is not None:
            rejects.close()
    log.info(
        "ingest %s: read %d, inserted %d, updated %d, rejected %d, committed %s",
        report.mapping,
        report.total("read"),
        report.total("inserted"),
        report.total("updated"),
        report.total("rejected"),
        report.committed,
    )
    if report.issue_count and not skip_invalid:
        raise IngestRejected(report)
    return report

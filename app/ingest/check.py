"""``check_mapping``: run a mapping on sample files and return the FHIR Bundle, storing nothing.

For EHR vendors writing a mapping: the rows go through the same pipeline as an ingest, with a
published throwaway pseudonym secret (the output is reproducible, and it is not any node's secret).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.deid import Pseudonymiser
from app.errors import InputError
from app.ingest.ingest_report import IngestReport, IssueLog
from app.ingest.pipeline import RecordPipeline
from app.ingest.plan import plan_export
from app.profiles import record_to_resource, validate_resource

CHECK_SECRET = b"ketanet mapping check: throwaway secret, not a node's"


def check_mapping(
    *,
    paths: list[Path],
    mapping: Path | None = None,
    limit: int | None = None,
    timezone: str = "UTC",
) -> tuple[dict[str, Any], IngestReport]:
    """Return the validated FHIR Bundle (type collection) of the mapped rows and the report.

    With ``limit``, only the first rows of each file are read, so patient references are not
    checked (the patients may lie beyond the sample). Raises ``InputError`` for a bad mapping or
    missing files; row problems are in the report.
    """
    plan = plan_export(paths, mapping=mapping, timezone=timezone)
    issues = IssueLog()
    pipeline = RecordPipeline(
        plan,
        pseudonymiser=Pseudonymiser(CHECK_SECRET),
        issues=issues,
        patient_in_store=lambda _pseudonym: limit is not None,
        limit=limit,
    )
    entries: list[dict[str, Any]] = []
    for batch in pipeline.batches():
        for row in batch.rows:
            entries.append({"resource": record_to_resource(batch.kind, row)})
            if batch.kind == "patient":
                entries.append({"resource": record_to_resource("condition", row)})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    for entry in entries:
        try:
            validate_resource(entry["resource"])
        except InputError as error:
            for issue in error.issues:
                issues.add(issue)
    report = IngestReport(
        mapping=plan.mapping.name,
        files=pipeline.reports,
        issues=issues.kept,
        issue_count=issues.count,
        warnings=[*plan.warnings, *pipeline.warnings],
        dry_run=True,
    )
    return bundle, report

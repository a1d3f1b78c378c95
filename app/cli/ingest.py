"""``ketanet ingest``, ``ketanet mapping check`` and ``ketanet node erase``."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.cli.output import print_json, summarised_issues
from app.errors import InputError, Issue, KetanetError, NotFound, Unavailable

if TYPE_CHECKING:
    from app.config import NodeSettings
    from app.ingest import IngestReport

# The node's settings, the ingest pipeline and the store (SQLAlchemy, FHIR models, the mapping
# engine) are imported inside the commands, so that `ketanet ingest --help` and `ketanet mapping
# check --help` answer without loading them (tests/cli/test_startup.py).

ConfigOption = Annotated[Path, typer.Option("--config", help="Node configuration file (TOML).")]
PathsArgument = Annotated[
    list[Path], typer.Argument(help="Export folder(s) or file(s).", show_default=False)
]
MappingOption = Annotated[
    Path | None,
    typer.Option("--mapping", help="Mapping YAML (default: built-in, by file type)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
_STORE_COUNTERS = ("read", "inserted", "updated", "unchanged", "rejected", "skipped", "erased")
_VALID_COUNTERS = ("read", "valid", "rejected", "skipped", "erased")
_OPTIONAL_COUNTERS = ("skipped", "erased")
_DRY_RUN_HEADINGS = {"inserted": "to insert", "updated": "to update"}
_REFRESH_S = 0.1


def ingest(
    paths: PathsArgument,
    config: ConfigOption,
    mapping: MappingOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count; store nothing.")
    ] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Store the valid rows; write rejects to a CSV.")
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option(help="Rejects CSV for --skip-invalid (default: rejects/ beside the config)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Map, de-identify, validate and store an export (atomic unless --skip-invalid)."""
    from app.config import load_node_settings
    from app.ingest import IngestRejected, ingest_export
    from app.ingest.row_path import default_workers
    from app.store import create_store_engine, upgrade_schema

    stderr = Console(stderr=True, emoji=False, highlight=False)
    with _domain_errors():
        settings = load_node_settings(config)
        rejects_path = rejects
        if skip_invalid and rejects_path is None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            rejects_path = config.resolve().parent / "rejects" / f"ingest-{stamp}.csv"
        engine = create_store_engine(settings.node.database_url)
        try:
            if not dry_run:
                # A dry run leaves no trace: no database created, no schema migrated.
                upgrade_schema(engine)
            with _progress_bar(stderr, enabled=not as_json) as tick:
                try:
                    report = ingest_export(
                        engine=engine,
                        paths=paths,
                        secret=_secret(settings),
                        timezone=settings.node.timezone,
                        linkage_secret=_linkage_secret(settings),
                        mapping=mapping,
                        dry_run=dry_run,
                        skip_invalid=skip_invalid,
                        rejects_path=rejects_path,
                        progress=tick,
                        workers=default_workers(),
                    )
                except IngestRejected as rejected:
                    _show_report(rejected.report, as_json=as_json)
                    raise
        finally:
            engine.dispose()
        _show_report(report, as_json=as_json)


def mapping_check(
    paths: PathsArgument,
    mapping: MappingOption = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Rows to read per file.")] = None,
    timezone: Annotated[
        str, typer.Option(help="Time zone of values without an offset (the node's setting).")
    ] = "UTC",
    bundle_out: Annotated[
        bool, typer.Option("--bundle", help="Also print the validated FHIR Bundle (JSON).")
    ] = False,
) -> None:
    """Run a mapping on sample files, validate the FHIR it makes and end with a verdict; store nothing."""
    from app.ingest import check_mapping

    with _domain_errors():
        bundle, report = check_mapping(paths=paths, mapping=mapping, limit=limit, timezone=timezone)
        if bundle_out:
            print_json(bundle)
        _print_issues(report.warnings, prefix="warning: ")
        _print_issues(report.issues)
        resources = len(bundle.get("entry", [])) if isinstance(bundle, dict) else 0
        rows = report.total("read")
        if report.issue_count:
            typer.echo(
                f"mapping check FAILED: {report.issue_count} problem(s) in {rows:,} row(s) read",
                err=True,
            )
            raise typer.Exit(2)
        warned = f", {len(report.warnings)} warning(s)" if report.warnings else ""
        typer.echo(
            f"mapping check passed: {rows:,} row(s) read, {resources:,} valid FHIR resource(s)"
            f"{warned}; nothing stored" + ("" if bundle_out else " (--bundle prints them)")
        )


def node_erase(
    config: ConfigOption,
    patient_id: Annotated[
        str | None,
        typer.Option(
            "--patient-id",
            help="The patient's id in the export (kept in shell history: prefer the prompt).",
        ),
    ] = None,
    from_stdin: Annotated[
        bool, typer.Option("--patient-id-stdin", help="Read the patient's id from stdin.")
    ] = False,
    before_import: Annotated[
        bool,
        typer.Option(
            "--before-import",
            help="Record the erasure of a patient this node has not imported yet (their later "
            "imports are skipped); without it an unknown id is refused.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Erase every record of one patient (withdrawal or erasure request).

    Without ``--patient-id`` the id is asked for (not echoed) or, with ``--patient-id-stdin``,
    read from the first line of stdin, so it stays out of shell history and process lists.
    """
    from app.config import load_node_settings
    from app.deid import pseudonymise_patient_id
    from app.store import create_store_engine, erase_patient, patient_known, upgrade_schema
    from app.trust.audit import AuditLog

    if patient_id is None:
        patient_id = (
            sys.stdin.readline().strip()
            if from_stdin
            else typer.prompt("Patient id", hide_input=True).strip()
        )
    with _domain_errors():
        if not patient_id:
            raise InputError("--patient-id: the patient's id is empty")
        settings = load_node_settings(config)
        engine = create_store_engine(settings.node.database_url)
        try:
            upgrade_schema(engine)
            pseudonym = pseudonymise_patient_id(_secret(settings), patient_id)
            if not before_import and not patient_known(engine=engine, pseudonym=pseudonym):
                raise NotFound(
                    "--patient-id: this node holds no patient with that id (check the id as "
                    "written in the export, or use --before-import); nothing erased, nothing recorded"
                )
            deleted = erase_patient(engine=engine, pseudonym=pseudonym)
            AuditLog(engine).append(
                actor="operator (cli)",
                action="erase",
                target="Patient/" + pseudonym,
                decision="erased",
                reason=f"{deleted} record(s) deleted",
            )
        finally:
            engine.dispose()
    if as_json:
        print_json({"erased_records": deleted})
    else:
        outcome = f"erased {deleted} record(s)" if deleted else "no records of that patient"
        typer.echo(f"{outcome}; later imports skip this patient")


def _secret(settings: NodeSettings) -> bytes:
    from app.config import read_secret

    return read_secret(settings.node.pseudonym_secret)


def _linkage_secret(settings: NodeSettings) -> bytes | None:
    from app.config import read_secret

    path = settings.node.linkage_secret
    return read_secret(path) if path is not None else None


@contextmanager
def _domain_errors() -> Iterator[None]:
    from sqlalchemy import exc  # here, not at import: `--help` loads no SQLAlchemy

    try:
        yield
    except KetanetError as error:
        typer.echo(f"error: {error.message}", err=True)
        _print_issues(error.issues)
        raise typer.Exit(error.exit_code) from None
    except exc.OperationalError as error:
        # Another process holds the SQLite write lock (an ingest, an erase, a backup): the
        # transaction never began, so nothing is stored and the same command can run again.
        if "locked" not in str(error.orig):
            raise
        typer.echo(
            "error: database: locked by another process; nothing written, run again when it is done",
            err=True,
        )
        raise typer.Exit(Unavailable.exit_code) from None


@contextmanager
def _progress_bar(console: Console, *, enabled: bool) -> Iterator[Callable[[int], None] | None]:
    if not enabled or not console.is_terminal:
        yield None
        return
    columns = (
        SpinnerColumn(),
        TextColumn("ingest"),
        BarColumn(),
        TextColumn("{task.completed:,.0f} rows"),
        TimeElapsedColumn(),
    )
    # Refreshed from the ingest's own ticks, not by rich's refresh thread: the ingest forks its
    # worker processes, and a process should fork with no other thread running.
    with Progress(*columns, console=console, transient=True, auto_refresh=False) as progress:
        task = progress.add_task("ingest", total=None)
        shown = [0.0]

        def tick(rows: int) -> None:
            progress.advance(task, rows)
            if (now := time.monotonic()) - shown[0] >= _REFRESH_S:
                shown[0] = now
                progress.refresh()

        yield tick


def _show_report(report: IngestReport, *, as_json: bool) -> None:
    if as_json:
        print_json(report.as_dict())
    else:
        stdout = Console(emoji=False, highlight=False)
        if not stdout.is_terminal:
            stdout.width = 160  # no truncated file names in logs and pipes
        stdout.print(_report_table(report))
        typer.echo(_summary(report), err=True)
    _print_issues(report.warnings, prefix="warning: ")


def _report_table(report: IngestReport) -> Table:
    # Borderless and without all-zero "skipped"/"erased" columns, so it fits an 80-column terminal.
    # Store counts appear only when they are real (stored) or a dry run's exact forecast; else
    # the table shows the valid rows under a title that says nothing was stored.
    shown = _STORE_COUNTERS if report.compared else _VALID_COUNTERS
    counters = [c for c in shown if c not in _OPTIONAL_COUNTERS or report.total(c)]
    headings = _DRY_RUN_HEADINGS if report.dry_run else {}
    table = Table(title=_report_title(report), title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("file", overflow="fold")
    table.add_column("record", overflow="fold")
    for counter in counters:
        table.add_column(headings.get(counter, counter), justify="right", no_wrap=True)
    for row in report.files:
        table.add_row(row.file, row.kind, *(f"{getattr(row, c):,}" for c in counters))
    table.add_row("total", "", *(f"{report.total(c):,}" for c in counters), style="bold")
    return table


def _report_title(report: IngestReport) -> str:
    title = f"ingest ({report.mapping})"
    if report.dry_run:
        return f"{title}: dry run, nothing stored"
    if not report.committed:
        return f"{title}: NOTHING STORED, the export has problems"
    return title


def _summary(report: IngestReport) -> str:
    if report.dry_run:
        outcome = "dry run: nothing stored"
    elif report.committed:
        outcome = f"stored (ingest run {report.run_id})"
    else:
        outcome = "nothing stored"
    if report.rejects_path and report.issue_count:
        outcome += f"; rejects written to {report.rejects_path}"
    return f"{outcome}; {report.issue_count} problem(s)"


def _print_issues(issues: list[Issue], *, prefix: str = "") -> None:
    # One issue per line, file:line:field: rule, never a value; plain text (no rich markup or
    # emoji codes, which would turn ":100:" into a picture) for grep and editors.
    for line in summarised_issues(issues, prefix=prefix):
        typer.echo(line, err=True)

"""Planning an ingest: which files, which mapping, which file feeds which record kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.errors import InputError, Issue
from app.mapping import ExportMapping, compile_mapping, format_of_name, load_mapping_document
from app.package_data import data_path
from app.profiles import RECORD_FIELDS

BUILTIN_MAPPINGS = {"csv": "mappings/reference-csv.yaml", "ndjson": "mappings/fhir-r4-bulk.yaml"}


@dataclass
class ExportPlan:
    """The compiled mapping and, per record kind, its files and its joined sources' files."""

    mapping: ExportMapping
    mapping_path: Path
    files: dict[str, list[Path]] = field(default_factory=dict)
    join_files: dict[str, dict[str, list[Path]]] = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)


def list_export_files(paths: list[Path]) -> list[Path]:
    """Return the files of ``paths`` (folders listed one level deep); raises ``InputError``."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                child
                for child in sorted(path.iterdir())
                if child.is_file() and not child.name.startswith(".")
            )
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    # A file named twice (as itself and inside its folder) is read once.
    return list(dict.fromkeys(file.resolve() for file in files))


def default_mapping(files: list[Path]) -> Path:
    """Return the built-in mapping for the files' type; raises ``InputError`` when unclear."""
    formats = {fmt for fmt in (format_of_name(file.name) for file in files) if fmt is not None}
    if len(formats) != 1:
        reason = "mixes CSV and NDJSON files" if formats else "has no .csv or .ndjson file"
        raise InputError(f"the export {reason}; give --mapping")
    return data_path(BUILTIN_MAPPINGS[formats.pop()])


def plan_export(paths: list[Path], *, mapping: Path | None, timezone: str) -> ExportPlan:
    """Return the ingest plan for ``paths``; raises ``InputError`` for a bad mapping or no files."""
    files = list_export_files(paths)
    mapping_path = mapping if mapping is not None else default_mapping(files)
    compiled = compile_mapping(
        load_mapping_document(mapping_path), RECORD_FIELDS, default_timezone=timezone
    )
    plan = ExportPlan(compiled, mapping_path)
    used: set[Path] = set()
    for kind, record in compiled.records.items():
        matched = [file for file in files if record.source.matches(file.name)]
        if not matched:
            plan.warnings.append(Issue(f"no file matches the {kind} source", mapping_path.name))
            continue
        plan.files[kind] = matched
        used.update(matched)
        plan.join_files[kind] = {}
        for alias, join in record.joins.items():
            joined = [file for file in files if join.source.matches(file.name)]
            plan.join_files[kind][alias] = joined
            used.update(joined)
    for file in files:
        if file not in used:
            plan.warnings.append(Issue("matches no source of the mapping; not read", file.name))
    if not plan.files:
        raise InputError("no file of the export matches the mapping", issues=plan.warnings)
    return plan

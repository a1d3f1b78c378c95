"""Checks of a mapping against the registry's fields, beyond what the JSON Schema can say."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from app.errors import Issue
from app.mapping.document import MappingDocument
from app.mapping.fields import TargetField
from app.mapping.formats import SourceFormat, format_of_patterns
from app.mapping.paths import PathSyntaxError, compile_path
from app.mapping.values import is_known_unit

Where = tuple[str | int, ...]


def check_record(
    document: MappingDocument,
    kind: str,
    record: Mapping[str, Any],
    targets: Sequence[TargetField],
) -> list[Issue]:
    """Return every problem of the mapping of ``kind`` (an empty list when it is sound)."""
    at: Where = ("records", kind)
    issues: list[Issue] = []
    formats: dict[str | None, SourceFormat | None] = {}
    sources = {None: (record["source"], (*at, "source"))}
    for alias, join in record.get("join", {}).items():
        sources[alias] = (join["source"], (*at, "join", alias, "source"))
    for alias, (source, where) in sources.items():
        formats[alias] = _format(source)
        if formats[alias] is None:
            issues.append(document.issue(_NO_FORMAT, *where, "files"))
        if "resource" in source and formats[alias] == "csv":
            issues.append(document.issue("resource applies to NDJSON sources only", *where))
        if "each" in source and formats[alias] == "csv":
            issues.append(document.issue("each applies to NDJSON sources only", *where))
    by_name = {target.name: target for target in targets}
    fields = record["fields"]
    for name in fields:
        if name not in by_name:
            allowed = ", ".join(by_name)
            issues.append(
                document.issue(f"not a field of {kind} (fields: {allowed})", *at, "fields", name)
            )
    for target in targets:
        spec = fields.get(target.name)
        where = (*at, "fields", target.name)
        if spec is None:
            if target.required and target.deid != "derive":
                issues.append(
                    document.issue(f"required field {target.name} is not mapped", *at, "fields")
                )
            continue
        issues.extend(
            document.issue(rule, *where, *sub) for rule, sub in _field_rules(target, spec)
        )
    for path, spec in _value_specs(record, at):
        issues.extend(_value_rules(document, path, spec, formats, record))
    return issues


_NO_FORMAT = "cannot tell CSV from NDJSON by these file names; add format: csv or ndjson"


def _format(source: Mapping[str, Any]) -> SourceFormat | None:
    files = source["files"]
    declared: SourceFormat | None = source.get("format")
    return declared or format_of_patterns((files,) if isinstance(files, str) else files)


def _field_rules(target: TargetField, spec: Mapping[str, Any]) -> Iterator[tuple[str, Where]]:
    declared = spec.get("deid")
    if target.deid == "derive":
        yield (
            "derived by KetaNet from other fields (keeps ids equal across exports); do not map it",
            (),
        )
    elif target.deid == "pseudonymise" and declared != "pseudonymise":
        yield "identifier: must say deid: pseudonymise", ()
    elif target.deid == "year" and declared != "year":
        yield "birth date: must say deid: year (only the year is kept)", ()
    elif target.deid == "link" and declared != "link":
        yield "name: must say deid: link (only the linkage token is kept)", ()
    elif target.deid == "keep" and declared is not None:
        yield "this field is kept as is: remove deid", ("deid",)
    if "unit" in spec:
        if target.unit is None:
            yield "this field has no unit to convert to: remove unit", ("unit",)
        elif isinstance(spec["unit"], str) and not is_known_unit(spec["unit"]):
            yield "unknown unit (mg, g, kg, ug, mcg, lb, oz)", ("unit",)
    if "format" in spec and target.type not in {"instant", "year"}:
        yield "format applies to dates and date-times only", ("format",)
    if "time" in spec and target.type != "instant":
        yield "time applies to date-time fields only", ("time",)
    if "decimal" in spec and target.type not in {"decimal", "int"}:
        yield "decimal applies to numbers only", ("decimal",)


def _value_specs(record: Mapping[str, Any], at: Where) -> Iterator[tuple[Where, Mapping[str, Any]]]:
    for name, spec in record["fields"].items():
        where = (*at, "fields", name)
        yield where, spec
        for position, alternative in enumerate(spec.get("first_of", ())):
            yield (*where, "first_of", position), alternative
        for key in ("unit", "time"):
            if isinstance(spec.get(key), Mapping):
                yield (*where, key), spec[key]
    for position, condition in enumerate(record.get("where", ())):
        yield (*at, "where", position), condition
    for alias, join in record.get("join", {}).items():
        yield (*at, "join", alias, "on"), join["on"]
        yield (*at, "join", alias, "key"), {**join["key"], "join": alias}


def _value_rules(
    document: MappingDocument,
    where: Where,
    spec: Mapping[str, Any],
    formats: Mapping[str | None, SourceFormat | None],
    record: Mapping[str, Any],
) -> Iterator[Issue]:
    alias = spec.get("join")
    if alias is not None and alias not in record.get("join", {}):
        yield document.issue("join names no alias under this record's join", *where, "join")
        return
    fmt = formats.get(alias)
    if "column" in spec and fmt == "ndjson":
        yield document.issue("NDJSON sources are read with path, not column", *where, "column")
    if "path" in spec:
        if fmt == "csv":
            yield document.issue("CSV sources are read with column, not path", *where, "path")
        try:
            compile_path(str(spec["path"]))
        except PathSyntaxError as exc:
            yield document.issue(f"not a simple FHIR path: {exc}", *where, "path")

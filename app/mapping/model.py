"""A compiled export mapping: per record kind its source files, filters, joins and field specs.

``compile_mapping`` checks a schema-valid document against the registry's fields (every field it
names must exist, identifiers must be pseudonymised, required fields must be mapped, columns for CSV
and paths for NDJSON) and reports every problem with its line in the mapping file. ``bind`` then
resolves columns against one file's header and returns the ``RowMapper`` for that file.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.errors import InputError, Issue
from app.mapping.checks import check_record
from app.mapping.document import MappingDocument
from app.mapping.fields import CompiledField, TargetField, compile_field
from app.mapping.formats import SourceFormat, format_of_patterns
from app.mapping.getters import Binding, Getter, compile_value, label_of
from app.mapping.rows import JoinIndex, RowMapper, compile_filter


@dataclass(frozen=True)
class SourceSpec:
    """Which files feed a record kind (glob patterns on file names) and how to read them."""

    files: tuple[str, ...]
    format: SourceFormat
    delimiter: str = ","
    resource: str | None = None
    each: str | None = None
    """NDJSON only: a list element of the resource; each of its items becomes a row of its own."""

    def matches(self, file_name: str) -> bool:
        """Return True when ``file_name`` matches one of the patterns."""
        return any(fnmatch.fnmatchcase(file_name, pattern) for pattern in self.files)


@dataclass(frozen=True)
class JoinSpec:
    """A source whose rows are attached to main rows where ``key`` (joined) equals ``on`` (main)."""

    alias: str
    source: SourceSpec
    key: Mapping[str, Any]
    on: Mapping[str, Any]


@dataclass(frozen=True)
class RecordMapping:
    """How one record kind is read from an export."""

    kind: str
    source: SourceSpec
    targets: tuple[TargetField, ...]
    fields: Mapping[str, Mapping[str, Any]]
    zone: tzinfo
    where: tuple[Mapping[str, Any], ...] = ()
    joins: Mapping[str, JoinSpec] = field(default_factory=dict)

    def new_join_index(self, alias: str) -> JoinIndex:
        """Return an empty index for the joined source ``alias``."""
        join = self.joins[alias]
        return JoinIndex(alias, label_of(join.key, alias), self.kind)

    def join_key_getter(self, alias: str, header: Sequence[str] | None) -> tuple[Getter, list[str]]:
        """Return the key getter of ``alias`` for a joined file with ``header``, and missing columns."""
        binding = Binding(header)
        return compile_value(self.joins[alias].key, binding), binding.missing

    def bind(
        self, file: str, header: Sequence[str] | None, joins: Mapping[str, JoinIndex]
    ) -> tuple[RowMapper | None, list[Issue], list[Issue]]:
        """Return the row mapper for ``file`` with ``header``, errors and warnings.

        A column that a required field needs and the file lacks is an error (the file is not
        mapped); one that only an optional field reads is a warning (the field stays empty).
        """
        join_headers = {alias: index.header for alias, index in joins.items()}
        compiled: list[CompiledField] = []
        errors: list[Issue] = []
        warnings: list[Issue] = []
        for target in self.targets:
            spec = self.fields.get(target.name)
            if spec is None:
                continue
            binding = Binding(header, join_headers)
            compiled.append(compile_field(target, spec, binding, self.zone))
            needs_column = (target.required or bool(spec.get("required"))) and (
                "default" not in spec
            )
            for column in binding.missing:
                if needs_column:
                    errors.append(Issue("required column missing", file, 1, column))
                else:
                    warnings.append(
                        Issue("column missing: optional field left empty", file, 1, column)
                    )
        filters = []
        for condition in self.where:
            binding = Binding(header, join_headers)
            filters.append(compile_filter(dict(condition), compile_value(condition, binding)))
            errors.extend(Issue("required column missing", file, 1, c) for c in binding.missing)
        join_getters = []
        for alias, index in joins.items():
            binding = Binding(header, join_headers)
            join_getters.append((index, compile_value(self.joins[alias].on, binding)))
            errors.extend(Issue("required column missing", file, 1, c) for c in binding.missing)
        if errors:
            return None, errors, warnings
        mapper = RowMapper(
            file=file,
            fields=compiled,
            filters=filters,
            resource=self.source.resource,
            joins=join_getters,
        )
        return mapper, [], warnings


@dataclass(frozen=True)
class ExportMapping:
    """A whole compiled mapping: its name and one ``RecordMapping`` per record kind it reads."""

    name: str
    records: Mapping[str, RecordMapping]
    timezone: str | None = None


def compile_mapping(
    document: MappingDocument,
    targets: Mapping[str, Sequence[TargetField]],
    *,
    default_timezone: str = "UTC",
) -> ExportMapping:
    """Return the compiled mapping; raises ``InputError`` listing every problem with its line."""
    data = document.data
    issues: list[Issue] = []
    zone_name = data.get("timezone") or default_timezone
    zone: tzinfo = UTC
    try:
        zone = UTC if zone_name == "UTC" else ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        path = ("timezone",) if data.get("timezone") else ()
        issues.append(
            document.issue("unknown time zone (use an IANA name, e.g. Europe/Oslo)", *path)
        )
    records: dict[str, RecordMapping] = {}
    for kind in targets:
        record = data["records"].get(kind)
        if record is None:
            continue
        issues.extend(check_record(document, kind, record, targets[kind]))
        records[kind] = RecordMapping(
            kind=kind,
            source=source_spec(record["source"]),
            targets=tuple(targets[kind]),
            fields=record["fields"],
            zone=zone,
            where=tuple(record.get("where", ())),
            joins={
                alias: JoinSpec(alias, source_spec(join["source"]), join["key"], join["on"])
                for alias, join in record.get("join", {}).items()
            },
        )
    if issues:
        raise InputError(f"{document.name}: mapping is not valid", issues=issues)
    return ExportMapping(str(data["name"]), records, data.get("timezone"))


def source_spec(source: Mapping[str, Any]) -> SourceSpec:
    """Return the ``SourceSpec`` of a schema-valid ``source`` block (format from the extension)."""
    files = source["files"]
    patterns = (files,) if isinstance(files, str) else tuple(files)
    fmt: SourceFormat | None = source.get("format") or format_of_patterns(patterns)
    return SourceSpec(
        files=patterns,
        format=fmt or "csv",
        delimiter=source.get("delimiter", ","),
        resource=source.get("resource"),
        each=source.get("each"),
    )

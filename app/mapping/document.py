"""Loading a mapping file: YAML without surprises, validated by ``schemas/mapping.schema.json``.

YAML 1.1 reads ``no``, ``yes``, ``on`` and ``off`` as booleans, which silently turns a country code
or a code-table entry into ``False``; the loader here accepts only ``true``/``false``. Errors point at
the line of the mapping file and name the rule broken.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from app.errors import InputError, Issue
from app.package_data import data_path

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class _MappingLoader(yaml.SafeLoader):
    """SafeLoader whose only booleans are true/false."""


_MappingLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_MappingLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))


@dataclass(frozen=True)
class MappingDocument:
    """A schema-valid mapping: its data, its file name and where each key stands in the file."""

    data: dict[str, Any]
    name: str
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def issue(self, rule: str, *path: str | int) -> Issue:
        """Return an ``Issue`` located at the key ``path`` of this mapping file."""
        dotted = ".".join(str(part) for part in path) or None
        return Issue(rule, self.name, self.lines.get(tuple(path)), dotted)


@cache
def mapping_schema() -> dict[str, Any]:
    """Return the JSON Schema of mapping files."""
    schema: dict[str, Any] = json.loads(
        data_path("schemas/mapping.schema.json").read_text(encoding="utf-8")
    )
    return schema


def load_mapping_document(path: Path) -> MappingDocument:
    """Return the validated mapping document in ``path``; raises ``InputError`` naming line and rule."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{name}: mapping file does not exist") from None
    except UnicodeDecodeError:
        raise InputError(f"{name}: mapping file is not UTF-8") from None
    return parse_mapping_text(text, name=name)


def parse_mapping_text(text: str, *, name: str = "mapping.yaml") -> MappingDocument:
    """Return the validated mapping document in ``text``; raises ``InputError``."""
    try:
        node = yaml.compose(text, Loader=_MappingLoader)
        document = yaml.load(text, Loader=_MappingLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        issue = Issue(f"not valid YAML ({getattr(exc, 'problem', 'syntax error')})", name, line)
        raise InputError(f"{name}: not valid YAML", issues=[issue]) from None
    lines = _line_index(node)
    issues = [
        Issue(_schema_rule(error), name, lines.get(tuple(error.absolute_path)), _pointer(error))
        for error in sorted(
            jsonschema.Draft202012Validator(mapping_schema()).iter_errors(document),
            key=lambda error: list(map(str, error.absolute_path)),
        )
    ]
    if issues:
        raise InputError(f"{name}: mapping does not follow the mapping schema", issues=issues)
    return MappingDocument(dict(document), name, lines)


def _line_index(node: yaml.Node | None) -> dict[tuple[str | int, ...], int]:
    index: dict[tuple[str | int, ...], int] = {}

    def walk(current: yaml.Node, path: tuple[str | int, ...]) -> None:
        index[path] = current.start_mark.line + 1
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                walk(value, (*path, str(key.value)))
                index[(*path, str(key.value))] = key.start_mark.line + 1
        elif isinstance(current, yaml.SequenceNode):
            for position, item in enumerate(current.value):
                walk(item, (*path, position))

    if node is not None:
        walk(node, ())
    return index


def _pointer(error: jsonschema.ValidationError) -> str | None:
    return ".".join(str(part) for part in error.absolute_path) or None


def _unknown_keys(error: jsonschema.ValidationError) -> str:
    """Name the unknown keys (mapping keys, never data) and the nearest allowed key of each."""
    import difflib

    allowed = sorted((error.schema or {}).get("properties", {}))  # type: ignore[union-attr]
    instance = error.instance if isinstance(error.instance, dict) else {}
    unknown = [str(key) for key in instance if key not in allowed]
    named = []
    for key in unknown:
        unused = [name for name in allowed if name not in instance]
        close = difflib.get_close_matches(key, unused, n=1)
        named.append(f"{key!r} (did you mean {close[0]!r}?)" if close else repr(key))
    which = ", ".join(named) if named else "a key"
    return f"unknown key {which}; allowed here: {', '.join(allowed)} (see mappings/README.md)"


def _schema_rule(error: jsonschema.ValidationError) -> str:
    # The validator's own messages quote the offending value; a mapping holds no patient data, but
    # keep messages short and rule-shaped all the same.
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        return f"missing key {', '.join(missing)}"
    if error.validator == "additionalProperties":
        return _unknown_keys(error)
    if error.validator == "enum":
        return f"must be one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "type":
        return f"must be of type {error.validator_value}"
    if error.validator in {"oneOf", "anyOf"}:
        return "must give exactly one of the allowed value sources (column, path, const, ...)"
    return error.message

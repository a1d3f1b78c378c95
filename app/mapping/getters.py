"""Compiling mapping value specs (column, path, const, join, strip_prefix, codes) into getters.

A getter takes a row's values (a CSV list in header order, or a parsed JSON object) and the row's
joined rows, and returns the raw value or ``None`` when it is empty or absent. Columns are resolved
to indexes once per file, so the per-row work is a list lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.mapping.paths import compile_path, evaluate_path
from app.mapping.values import ValueProblem

JoinedRow = tuple[Any, str, int]
"""A joined row: (values, file name, line)."""
Joined = Mapping[str, JoinedRow | None]
Getter = Callable[[Any, Joined], Any]


@dataclass
class Binding:
    """What a getter is compiled against: the main source's header and those of joined sources."""

    header: Sequence[str] | None
    join_headers: Mapping[str, Sequence[str] | None] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    """Columns named by the mapping that the file lacks (filled while compiling)."""

    def header_for(self, alias: str | None) -> Sequence[str] | None:
        """Return the header of the main row (alias ``None``) or of a joined source."""
        return self.header if alias is None else self.join_headers.get(alias)


def label_of(spec: Mapping[str, Any], default: str) -> str:
    """Return how issues name a value: its column or path, else ``default``."""
    return str(spec.get("column") or spec.get("path") or default)


def compile_value(spec: Mapping[str, Any], binding: Binding) -> Getter:
    """Return the getter of one value spec (a missing column is recorded and reads as empty)."""
    getter = _base_getter(spec, binding)
    prefix = spec.get("strip_prefix")
    if prefix is not None:
        getter = _stripping(getter, str(prefix))
    codes = spec.get("codes")
    return with_code_table(getter, codes) if codes else getter


def plain_column_index(spec: Mapping[str, Any], binding: Binding) -> int | None:
    """Return the header index of a spec that is just a column of the main row, else ``None``."""
    if "column" not in spec or "join" in spec or "strip_prefix" in spec or binding.header is None:
        return None
    column = str(spec["column"])
    return list(binding.header).index(column) if column in binding.header else None


def compile_first_of(specs: Sequence[Mapping[str, Any]], binding: Binding) -> Getter:
    """Return a getter trying ``specs`` in order and giving the first value found."""
    getters = [compile_value(spec, binding) for spec in specs]

    def first_of(values: Any, joined: Joined) -> Any:
        for getter in getters:
            value = getter(values, joined)
            if value is not None:
                return value
        return None

    return first_of


def _base_getter(spec: Mapping[str, Any], binding: Binding) -> Getter:
    if "const" in spec:
        constant = spec["const"]
        return lambda _values, _joined: constant
    alias = spec.get("join")
    if "path" in spec:
        steps = compile_path(str(spec["path"]))

        def read_path(values: Any) -> Any:
            value = evaluate_path(steps, values)
            if isinstance(value, str):
                value = value.strip() or None
            return value

        return _joined(alias, read_path)
    header = binding.header_for(alias)
    column = str(spec["column"])
    if header is None or column not in header:
        binding.missing.append(column)
        return lambda _values, _joined: None
    index = list(header).index(column)

    def read_column(values: Any) -> Any:
        return values[index].strip() or None

    return _joined(alias, read_column)


def _joined(alias: str | None, read: Callable[[Any], Any]) -> Getter:
    if alias is None:
        return lambda values, _joined: read(values)

    def read_joined(_values: Any, joined: Joined) -> Any:
        row = joined.get(alias)
        return None if row is None else read(row[0])

    return read_joined


def _stripping(getter: Getter, prefix: str) -> Getter:
    def strip_prefix(values: Any, joined: Joined) -> Any:
        value = getter(values, joined)
        if value is None:
            return None
        text = str(value)
        if not text.startswith(prefix):
            raise ValueProblem(f"does not start with {prefix}")
        return text[len(prefix) :] or None

    return strip_prefix


def with_code_table(getter: Getter, codes: Mapping[Any, Any]) -> Getter:
    """Return ``getter`` with its values translated through the code table ``codes``."""
    table = {str(key): value for key, value in codes.items()}

    def look_up(values: Any, joined: Joined) -> Any:
        value = getter(values, joined)
        if value is None:
            return None
        # Codes missing from the table pass unchanged (they may already be KetaNet codes); the
        # profile's value-set check rejects anything else.
        return table.get(str(value), value)

    return look_up

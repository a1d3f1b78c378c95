"""Compiling one target field of a mapping: getter, default, required check and type conversion.

The result is a plain function of a row that returns the typed value the registry field needs
(identifier text, code, int, float in the field's unit, UTC epoch seconds, birth date or year) or
raises ``ValueProblem``. Identifiers come out as the source's text: the de-identification stage,
not the mapping, turns them into pseudonyms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, Protocol

from app.mapping.getters import (
    Binding,
    Getter,
    Joined,
    compile_first_of,
    compile_value,
    label_of,
    plain_column_index,
    with_code_table,
)
from app.mapping.values import (
    ValueProblem,
    combine_date_time,
    convert_mass,
    instant_parser,
    parse_birth,
    parse_datetime,
    parse_decimal,
    parse_int,
    parse_time,
    to_epoch_s,
)

REQUIRED = "required value missing"
Converter = Callable[[Any, Any, Joined], Any]


class TargetField(Protocol):
    """What the mapping needs to know of a registry field (the profile's field definition)."""

    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def required(self) -> bool: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def deid(self) -> str: ...


@dataclass(frozen=True, slots=True)
class PlainColumn:
    """How a field that is one column of the main row is read (for the fused row path).

    ``extract`` is exactly: ``raw = values[index].strip()``; empty → ``default`` converted, or
    ``None``, or ``REQUIRED`` raised when ``required``; else ``raw`` through ``codes`` (when given;
    a code missing from the table passes unchanged) and then ``convert``.
    """

    index: int
    convert: Callable[[Any], Any]
    codes: Mapping[str, Any] | None
    default: Any
    required: bool


@dataclass(frozen=True, slots=True)
class CompiledField:
    """A target field ready to extract: ``extract(values, joined)`` returns its typed value."""

    name: str
    label: str
    alias: str | None
    extract: Callable[[Any, Joined], Any]
    plain: PlainColumn | None = None
    """Set when the field is one column of the main row read by a converter of it alone."""


def compile_field(
    target: TargetField, spec: Mapping[str, Any], binding: Binding, zone: tzinfo
) -> CompiledField:
    """Return the compiled extractor of ``target`` as ``spec`` maps it (columns bound to ``binding``)."""
    if "first_of" in spec:
        getter = compile_first_of(spec["first_of"], binding)
        alternatives = spec["first_of"]
        label = label_of(alternatives[0], target.name) if len(alternatives) == 1 else target.name
        alias = alternatives[0].get("join")
        if spec.get("codes"):
            getter = with_code_table(getter, spec["codes"])
    else:
        getter = compile_value(spec, binding)
        label = label_of(spec, target.name)
        alias = spec.get("join")
    default = spec.get("default")
    required = target.required or bool(spec.get("required", False))
    simple = _simple_converter(target, spec, zone)
    index = plain_column_index(spec, binding)
    if simple is not None and index is not None:
        codes = spec.get("codes")
        extract = _column_extractor(index, simple, codes, default, required)
        table = {str(key): value for key, value in codes.items()} if codes else None
        plain = PlainColumn(index, simple, table, default, required)
        return CompiledField(target.name, label, alias, extract, plain)
    convert: Converter = (
        _row_converter(target, spec, binding, zone)
        if simple is None
        else (lambda raw, _values, _joined: simple(raw))
    )

    def extract_any(values: Any, joined: Joined) -> Any:
        raw = getter(values, joined)
        if raw is None:
            if default is None:
                if required:
                    raise ValueProblem(REQUIRED)
                return None
            raw = default
        return convert(raw, values, joined)

    return CompiledField(target.name, label, alias, extract_any)


def _column_extractor(
    index: int,
    convert: Callable[[Any], Any],
    codes: Mapping[Any, Any] | None,
    default: Any,
    required: bool,
) -> Callable[[Any, Joined], Any]:
    # The hot path of CSV ingest: one list lookup, one strip, one conversion per field.
    table = {str(key): value for key, value in codes.items()} if codes else None
    identity = convert is str

    def missing() -> Any:
        if default is None:
            if required:
                raise ValueProblem(REQUIRED)
            return None
        return convert(default)

    if table is None and identity:

        def extract_text(values: Any, _joined: Joined) -> Any:
            raw = values[index].strip()
            return raw if raw else missing()

        return extract_text

    def extract_value(values: Any, _joined: Joined) -> Any:
        raw = values[index].strip()
        if not raw:
            return missing()
        if table is not None:
            raw = table.get(raw, raw)
        return convert(raw)

    return extract_value


def _simple_converter(
    target: TargetField, spec: Mapping[str, Any], zone: tzinfo
) -> Callable[[Any], Any] | None:
    """Return a converter of the raw value alone, or ``None`` when it needs other columns."""
    kind = target.type
    if kind in {"id", "code", "yesno", "text"}:
        return str
    if kind == "int":
        return parse_int
    if kind == "year":
        fmt = spec.get("format")
        return lambda raw: parse_birth(raw, fmt)
    if kind == "instant":
        return None if "time" in spec else instant_parser(spec.get("format"), zone)
    if kind == "decimal":
        comma = spec.get("decimal") == ","
        unit = spec.get("unit")
        if unit is None or target.unit is None:
            return (lambda raw: parse_decimal(raw, comma=True)) if comma else parse_decimal
        if isinstance(unit, str):
            target_unit = target.unit
            return lambda raw: convert_mass(parse_decimal(raw, comma=comma), unit, target_unit)
        return None
    raise ValueError(f"unknown field type {kind}")


def _row_converter(
    target: TargetField, spec: Mapping[str, Any], binding: Binding, zone: tzinfo
) -> Converter:
    if target.type == "decimal":
        return _decimal_converter(target, spec, binding)
    return _instant_converter(spec, binding, zone)


def _decimal_converter(target: TargetField, spec: Mapping[str, Any], binding: Binding) -> Converter:
    comma = spec.get("decimal") == ","
    target_unit = str(target.unit)
    unit_spec = spec["unit"]
    unit_getter: Getter = compile_value(unit_spec, binding)
    unit_label = label_of(unit_spec, f"{target.name} unit")

    def convert(raw: Any, values: Any, joined: Joined) -> float:
        number = parse_decimal(raw, comma=comma)
        unit = unit_getter(values, joined)
        if unit is None:
            raise ValueProblem("unit missing", label=unit_label)
        try:
            return convert_mass(number, str(unit), target_unit)
        except ValueProblem as problem:
            raise ValueProblem(problem.rule, label=unit_label) from None

    return convert


def _instant_converter(spec: Mapping[str, Any], binding: Binding, zone: tzinfo) -> Converter:
    fmt = spec.get("format")
    time_spec = spec["time"]
    time_getter = compile_value(time_spec, binding)
    time_format = time_spec.get("format")
    time_label = label_of(time_spec, "time")

    def convert(raw: Any, values: Any, joined: Joined) -> int:
        moment = parse_datetime(raw, fmt)
        at = time_getter(values, joined)
        if at is not None:
            try:
                moment = combine_date_time(moment, parse_time(at, time_format))
            except ValueProblem as problem:
                raise ValueProblem(problem.rule, label=time_label) from None
        return to_epoch_s(moment, zone)

    return convert

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
    with_code_table,
)
from app.mapping.values import (
    ValueProblem,
    combine_date_time,
    convert_mass,
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
class CompiledField:
    """A target field ready to extract: ``extract(values, joined)`` returns its typed value."""

    name: str
    label: str
    alias: str | None
    extract: Callable[[Any, Joined], Any]


def compile_field(
    target: TargetField, spec: Mapping[str, Any], binding: Binding, zone: tzinfo
) -> CompiledField:
    """Return the compiled extractor of ``target`` as ``spec`` maps it (columns bound to ``binding``)."""
    if "first_of" in spec:
        getter = compile_first_of(spec["first_of"], binding)
        alternatives = spec["first_of"]
        label = label_of(alternatives[0], target.name) if len(alternatives) == 1 else target.name
        alias = alternatives[0].get("join")
    else:
        getter = compile_value(spec, binding)
        label = label_of(spec, target.name)
        alias = spec.get("join")
    if spec.get("codes") and "first_of" in spec:
        getter = with_code_table(getter, spec["codes"])
    convert = _converter(target, spec, binding, zone)
    default = spec.get("default")
    required = target.required or bool(spec.get("required", False))

    def extract(values: Any, joined: Joined) -> Any:
        raw = getter(values, joined)
        if raw is None:
            if default is None:
                if required:
                    raise ValueProblem(REQUIRED)
                return None
            raw = default
        return convert(raw, values, joined)

    return CompiledField(target.name, label, alias, extract)


def _converter(
    target: TargetField, spec: Mapping[str, Any], binding: Binding, zone: tzinfo
) -> Converter:
    kind = target.type
    if kind in {"id", "code", "yesno"}:
        return lambda raw, _values, _joined: str(raw)
    if kind == "int":
        return lambda raw, _values, _joined: parse_int(raw)
    if kind == "decimal":
        return _decimal_converter(target, spec, binding)
    if kind == "year":
        fmt = spec.get("format")
        return lambda raw, _values, _joined: parse_birth(raw, fmt)
    if kind == "instant":
        return _instant_converter(spec, binding, zone)
    raise ValueError(f"unknown field type {kind}")


def _decimal_converter(target: TargetField, spec: Mapping[str, Any], binding: Binding) -> Converter:
    comma = spec.get("decimal") == ","
    unit_spec = spec.get("unit")
    if unit_spec is None or target.unit is None:
        return lambda raw, _values, _joined: parse_decimal(raw, comma=comma)
    target_unit = target.unit
    if isinstance(unit_spec, str):
        constant_unit = unit_spec
        return lambda raw, _values, _joined: convert_mass(
            parse_decimal(raw, comma=comma), constant_unit, target_unit
        )
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
    time_spec = spec.get("time")
    if time_spec is None:
        return lambda raw, _values, _joined: to_epoch_s(parse_datetime(raw, fmt), zone)
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

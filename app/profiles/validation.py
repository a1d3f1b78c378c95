"""Validating de-identified records against the profile, and shaping them as store rows.

fhir.resources checks structure only, so value-set membership, ranges and required values are
enforced here, per field, before anything is written. Rules never quote the value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.profiles.codes import VALUE_SETS, in_value_set
from app.profiles.dataset import (
    OBSERVATION_RANGES,
    OBSERVATION_UNITS,
    RECORD_FIELDS,
    FieldDef,
)
from app.profiles.prem import answer_rule

FIRST_INSTANT_S = -2_208_988_800  # 1900-01-01T00:00:00Z
LAST_INSTANT_S = 4_102_444_800  # 2100-01-01T00:00:00Z
SECONDS_PER_DAY = 86_400
Check = Callable[[Any], str | None]


def _range_rule(definition: FieldDef) -> str:
    low, high = definition.minimum, definition.maximum
    if definition.exclusive_minimum:
        return f"must be > {low:g} and <= {high:g}"
    return f"must be between {low:g} and {high:g}"


def _field_check(definition: FieldDef) -> Check | None:
    if definition.value_set is not None:
        value_set = definition.value_set
        rule = f"code not in value set {value_set}"
        allowed = VALUE_SETS.get(value_set)
        if allowed is None:  # a pattern-defined set (diagnosis)
            return lambda value: None if in_value_set(value_set, value) else rule
        return lambda value: None if value in allowed else rule
    if definition.type == "instant":
        return lambda value: (
            None if FIRST_INSTANT_S <= value < LAST_INSTANT_S else "date out of range (1900-2099)"
        )
    if definition.minimum is not None and definition.maximum is not None:
        low, high = definition.minimum, definition.maximum
        rule = _range_rule(definition)
        if definition.exclusive_minimum:
            return lambda value: None if low < value <= high else rule
        return lambda value: None if low <= value <= high else rule
    return None


def check_source(definition: FieldDef, value: str, names: dict[str, Any]) -> str | None:
    """Return a Python expression true when the variable ``value`` (not None) passes the check of
    ``definition``, or ``None`` when the field has no check (the fused row path compiles it).

    The same rules as ``_field_check``; constants the expression names are put into ``names``.
    """
    prefix = f"_check_{definition.name}"
    if definition.value_set is not None:
        allowed = VALUE_SETS.get(definition.value_set)
        if allowed is None:
            names["in_value_set"] = in_value_set
            names[prefix] = definition.value_set
            return f"in_value_set({prefix}, {value})"
        names[prefix] = allowed
        return f"{value} in {prefix}"
    if definition.type == "instant":
        return f"{FIRST_INSTANT_S} <= {value} < {LAST_INSTANT_S}"
    if definition.minimum is not None and definition.maximum is not None:
        names[f"{prefix}_low"], names[f"{prefix}_high"] = definition.minimum, definition.maximum
        low = "<" if definition.exclusive_minimum else "<="
        return f"{prefix}_low {low} {value} <= {prefix}_high"
    return None


class RecordValidator:
    """Checks records of every kind; ``validate`` returns ``[(field, rule), ...]`` or ``None``."""

    def __init__(self, fields: Mapping[str, tuple[FieldDef, ...]] = RECORD_FIELDS) -> None:
        self.fields = fields
        self._checks: dict[str, tuple[tuple[str, bool, Check | None], ...]] = {
            kind: tuple((f.name, f.required, _field_check(f)) for f in definitions)
            for kind, definitions in fields.items()
        }

    def validate(self, kind: str, record: Mapping[str, Any]) -> list[tuple[str, str]] | None:
        """Return the broken rules of ``record`` as (field, rule) pairs, or ``None`` when valid."""
        problems: list[tuple[str, str]] | None = None
        get = record.get
        for name, required, check in self._checks[kind]:
            value = get(name)
            if value is None:
                if not required:
                    continue
                rule = "required value missing"
            elif check is None:
                continue
            else:
                broken = check(value)
                if broken is None:
                    continue
                rule = broken
            if problems is None:
                problems = []
            problems.append((name, rule))
        if kind == "observation" and problems is None:
            rule_field = _observation_rule(record)
            if rule_field is not None:
                problems = [rule_field]
        elif kind == "experience" and problems is None:
            answer_broken = answer_rule(record["item"], record["answer"])
            if answer_broken is not None:
                problems = [("answer", answer_broken)]
        return problems


def _observation_rule(record: Mapping[str, Any]) -> tuple[str, str] | None:
    return observation_rule(record["code"], record["value"], record.get("unit"))


def observation_rule(code: str, value: float, unit: str | None) -> tuple[str, str] | None:
    """Return the broken (field, rule) of an observation whose fields each passed, else ``None``."""
    low, high = OBSERVATION_RANGES[code]
    if not low <= value <= high:
        return "value", f"must be between {low:g} and {high:g} for this code"
    if unit is not None and unit != OBSERVATION_UNITS[code]:
        return "unit", f"unit must be {OBSERVATION_UNITS[code]} for this code"
    return None


def to_store_row(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """Return the store row of a valid record: instants as ``at_s``/``day``, serious as a bool.

    The row is ``record`` itself, changed in place (the row path's record is its own, made by
    the de-identification for this row; a copy per row cost 0.2 µs for nothing).
    """
    row = record
    if kind == "patient":
        return row
    for name in _INSTANTS[kind]:
        at_s = row.pop(name)
        row["at_s"] = at_s
        row["day"] = at_s // SECONDS_PER_DAY
    if kind == "adverse_event":
        row["serious"] = row["serious"] == "yes"
    elif kind == "observation":
        row["unit"] = OBSERVATION_UNITS[row["code"]]
    return row


_INSTANTS: dict[str, tuple[str, ...]] = {
    kind: tuple(f.name for f in definitions if f.type == "instant")
    for kind, definitions in RECORD_FIELDS.items()
}

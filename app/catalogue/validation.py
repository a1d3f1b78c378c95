"""Check a ``MeasureQuery`` against the catalogue and return it in normal form.

Normal form: the catalogue version filled in, filter keys and values in catalogue order, stratifiers
without repeats, parameter defaults applied. Two queries asking the same question have the same
normal form, so they share an answer-cache entry (an averaging attack gains nothing from rephrasing).
The hub validates an analyst's query with this same function before fan-out, so an analyst gets
one clear reason instead of one refusal per node.
"""

from __future__ import annotations

import math
from dataclasses import replace

from app.catalogue.definitions import MeasureDefinition
from app.catalogue.loader import load_catalogue
from app.errors import InputError, Issue
from app.exchange.query import MeasureQuery

MAX_DECIMAL_PARAMETER = 1_000_000.0


def validate_query(query: MeasureQuery) -> MeasureQuery:
    """Return ``query`` in normal form; raises ``InputError`` naming the part and the rule."""
    catalogue = load_catalogue()
    definition = catalogue.get(query.measure)
    if definition is None:
        raise _error("measure", f"unknown measure (known: {', '.join(sorted(catalogue))})")
    if query.version is not None and query.version != definition.version:
        raise _error(
            "measure", f"unknown version (the catalogue holds version {definition.version})"
        )
    if query.period_end < query.period_start:
        raise _error("periodEnd", "the period is inverted (periodEnd before periodStart)")
    if query.min_cell is not None and (isinstance(query.min_cell, bool) or query.min_cell < 1):
        raise _error("min-cell", "must be a positive integer")
    return replace(
        query,
        version=definition.version,
        filters=_filters(definition, query.filters),
        stratify=_stratify(definition, query.stratify),
        parameters=_parameters(definition, query.parameters),
    )


def _filters(
    definition: MeasureDefinition, filters: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    for key, values in filters.items():
        allowed = definition.filters.get(key)
        if allowed is None:
            raise _error(
                "filter", f"unknown filter key {key!r} (known: {', '.join(definition.filters)})"
            )
        if not values:
            raise _error("filter", f"filter {key} has no value")
        for value in values:
            if value not in allowed:
                raise _error(
                    "filter", f"unknown value for filter {key} (allowed: {', '.join(allowed)})"
                )
    return {
        key: tuple(value for value in allowed if value in filters[key])
        for key, allowed in definition.filters.items()
        if key in filters
    }


def _stratify(definition: MeasureDefinition, stratify: tuple[str, ...]) -> tuple[str, ...]:
    for key in stratify:
        if key not in definition.stratifiers:
            known = ", ".join(definition.stratifiers)
            raise _error(
                "stratifier", f"unknown stratifier {key!r} for this measure (known: {known})"
            )
    return tuple(dict.fromkeys(stratify))


def _parameters(
    definition: MeasureDefinition, parameters: dict[str, str | float]
) -> dict[str, str | float]:
    for name in parameters:
        if name not in definition.parameters:
            known = ", ".join(definition.parameters) or "none"
            raise _error(name, f"unknown parameter for this measure (known: {known})")
    normal: dict[str, str | float] = {}
    for name, spec in definition.parameters.items():
        value = parameters.get(name)
        if value is None:
            if spec.required:
                raise _error(name, "required parameter is missing")
            if spec.default is not None:
                normal[name] = spec.default
            continue
        if spec.kind == "code":
            if not isinstance(value, str) or value not in spec.values:
                raise _error(name, f"must be one of {', '.join(spec.values)}")
            normal[name] = value
        else:
            number = _decimal(value)
            if number is None or not 0 < number <= MAX_DECIMAL_PARAMETER:
                raise _error(name, f"must be a number in (0, {MAX_DECIMAL_PARAMETER:g}]")
            normal[name] = number
    return normal


def _decimal(value: str | float) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _error(field_name: str, rule: str) -> InputError:
    issue = Issue(rule=rule, field=field_name)
    return InputError(str(issue), issues=[issue])

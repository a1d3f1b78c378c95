"""Turn an analyst's query (API JSON or CLI options) into a ``MeasureQuery`` in normal form.

This module checks the request's *shape* (JSON types, dates); whether the measure, its filters,
stratifiers and parameters exist is ``app.catalogue.validate_query``'s business, the same check
every node makes. Nodes would refuse anything outside the catalogue anyway; checking here once gives
the analyst one clear reason instead of one refusal per node, and keeps refused queries out of the
hub's records.
"""

from __future__ import annotations

import math
import time
from datetime import date
from typing import Any

from app.catalogue import validate_query
from app.errors import InputError
from app.exchange.query import MeasureQuery, check_period_bounds, utc_today


def _date(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"period.{name}: must be a date YYYY-MM-DD") from None


def _parameter(value: Any) -> str | float:
    """Return a parameter value as given: a JSON number as a number, anything else as text."""
    if isinstance(value, bool):
        raise InputError("parameters: values must be codes or numbers")
    return float(value) if isinstance(value, int | float) else str(value)


def query_from_request(document: dict[str, Any], *, today: date | None = None) -> MeasureQuery:
    """Return the normal form of the query an API body asks for.

    Raises ``InputError`` naming the part: a bad shape here, a period outside
    ``1900-01-01 .. today + 1 year`` (``today``: UTC now unless given), anything outside the
    catalogue in ``validate_query``.
    """
    if not isinstance(document, dict):
        raise InputError("body: expected a JSON object")
    measure = document.get("measure")
    if not isinstance(measure, str):
        raise InputError("measure: required, a catalogue measure id")
    version = document.get("version")
    if version is not None and not isinstance(version, str):
        raise InputError("version: expected the catalogue version as text")
    period = document.get("period")
    if not isinstance(period, dict) or "start" not in period or "end" not in period:
        raise InputError('period: required, as {"start": date, "end": date}')
    start, end = _date(period["start"], "start"), _date(period["end"], "end")
    if end < start:
        raise InputError("period: end is before start")
    check_period_bounds(
        start, end, today=today or utc_today(time.time), names=("period.start", "period.end")
    )
    filters = document.get("filters") or {}
    if not isinstance(filters, dict) or not all(
        isinstance(v, list) and all(_is_code(item) for item in v) for v in filters.values()
    ):
        raise InputError("filters: expected {key: [values]}, values as codes")
    stratify = document.get("stratify") or []
    if not isinstance(stratify, list) or not all(_is_code(s) for s in stratify):
        raise InputError("stratify: expected a list of stratifier ids")
    parameters = document.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise InputError("parameters: expected {name: value}")
    _check_sizes(measure, filters, stratify, parameters)
    return validate_query(
        MeasureQuery(
            measure=measure,
            version=version,
            period_start=start,
            period_end=end,
            filters={key: tuple(str(v) for v in values) for key, values in filters.items()},
            stratify=tuple(stratify),
            parameters={name: _parameter(value) for name, value in parameters.items()},
            min_cell=None,
        )
    )


MAX_CODE_CHARS = 100
MAX_ITEMS = 50
"""Most filters, values of one filter, stratifiers or parameters one query may name."""


def _is_code(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_CODE_CHARS


def _check_sizes(
    measure: str, filters: dict[str, Any], stratify: list[Any], parameters: dict[str, Any]
) -> None:
    """Refuse a request larger than any catalogue query; raises ``InputError`` naming the part."""
    if not _is_code(measure):
        raise InputError(f"measure: 1 to {MAX_CODE_CHARS} characters")
    for name, items in (("filters", filters), ("stratify", stratify), ("parameters", parameters)):
        if len(items) > MAX_ITEMS:
            raise InputError(f"{name}: at most {MAX_ITEMS} entries")
    for key, values in filters.items():
        if not _is_code(key) or len(values) > MAX_ITEMS:
            raise InputError(
                f"filters: keys of 1 to {MAX_CODE_CHARS} characters, "
                f"at most {MAX_ITEMS} values each"
            )
    for name, value in parameters.items():
        if not _is_code(name) or (isinstance(value, str) and not _is_code(value)):
            raise InputError(f"parameters: names and values of 1 to {MAX_CODE_CHARS} characters")
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"parameters.{name}: must be a finite number")
        if not isinstance(value, str | int | float):
            raise InputError(f"parameters.{name}: must be a code or a number")


def query_from_options(
    measure: str,
    period: str | None,
    filters: list[str],
    stratify: list[str],
    params: list[str],
) -> MeasureQuery:
    """Return the query of ``ketanet query`` options; raises ``InputError`` naming the option."""
    if not period or ".." not in period:
        raise InputError("--period: required as START..END (dates YYYY-MM-DD)")
    start, end = period.split("..", 1)
    parsed_filters: dict[str, list[str]] = {}
    for item in filters:
        key, sep, values = item.partition("=")
        if not sep or not values:
            raise InputError("--filter: expected KEY=V[,V]")
        parsed_filters.setdefault(key, []).extend(v for v in values.split(",") if v)
    parameters: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError("--param: expected KEY=VALUE")
        parameters[key] = value
    return query_from_request(
        {
            "measure": measure,
            "period": {"start": start, "end": end},
            "filters": parsed_filters,
            "stratify": stratify,
            "parameters": parameters,
        }
    )


def query_echo(query: MeasureQuery) -> dict[str, Any]:
    """Return the query as the API and the hub database record it (integral numbers as int)."""
    return {
        "measure": query.measure,
        "period": {"start": query.period_start.isoformat(), "end": query.period_end.isoformat()},
        "filters": {key: list(values) for key, values in query.filters.items()},
        "stratify": list(query.stratify),
        "parameters": {name: _echoed(value) for name, value in query.parameters.items()},
    }


def _echoed(value: str | float) -> str | int | float:
    """Return a parameter as the analyst would write it: ``250``, not the normal form's ``250.0``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value

"""Turn an analyst's query (API JSON or CLI options) into a ``MeasureQuery``, checking its shape."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.errors import InputError
from app.exchange.catalogue import published_measures
from app.exchange.query import MeasureQuery
from app.hub.catalogue import check_against_catalogue


def _date(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"period.{name}: must be a date YYYY-MM-DD") from None


def _parameter(value: Any) -> str | int | float:
    """Return a parameter value as a number when it is one (integral numbers as int), else text."""
    if isinstance(value, bool):
        raise InputError("parameters: values must be codes or numbers")
    if isinstance(value, int | float) or str(value).replace(".", "", 1).isdigit():
        number = float(value)
    else:
        return str(value)
    return int(number) if number.is_integer() else number


def query_from_request(document: dict[str, Any]) -> MeasureQuery:
    """Return the ``MeasureQuery`` an API body asks for; raises ``InputError`` on a bad shape."""
    if not isinstance(document, dict):
        raise InputError("body: expected a JSON object")
    measure = document.get("measure")
    if not isinstance(measure, str) or measure not in published_measures():
        known = ", ".join(sorted(published_measures()))
        raise InputError(f"measure: unknown measure (known: {known})")
    period = document.get("period")
    if not isinstance(period, dict) or "start" not in period or "end" not in period:
        raise InputError('period: required, as {"start": date, "end": date}')
    start, end = _date(period["start"], "start"), _date(period["end"], "end")
    if end < start:
        raise InputError("period: end is before start")
    filters = document.get("filters") or {}
    if not isinstance(filters, dict) or not all(isinstance(v, list) for v in filters.values()):
        raise InputError("filters: expected {key: [values]}")
    stratify = document.get("stratify") or []
    if not isinstance(stratify, list) or not all(isinstance(s, str) for s in stratify):
        raise InputError("stratify: expected a list of stratifier ids")
    parameters = document.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise InputError("parameters: expected {name: value}")
    check_against_catalogue(
        published_measures()[measure],
        {key: [str(v) for v in values] for key, values in filters.items()},
        stratify,
        {name: _parameter(value) for name, value in parameters.items()},
    )
    return MeasureQuery(
        measure=measure,
        version=document.get("version"),
        period_start=start,
        period_end=end,
        filters={key: tuple(str(v) for v in values) for key, values in filters.items()},
        stratify=tuple(stratify),
        parameters={name: _parameter(value) for name, value in parameters.items()},
        min_cell=None,
    )


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
    """Return the query as the API and the hub database record it."""
    return {
        "measure": query.measure,
        "period": {"start": query.period_start.isoformat(), "end": query.period_end.isoformat()},
        "filters": {key: list(values) for key, values in query.filters.items()},
        "stratify": list(query.stratify),
        "parameters": dict(query.parameters),
    }

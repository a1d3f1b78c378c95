"""A measure query and its FHIR ``Parameters`` form (``$evaluate-measure``, ``docs/node-api.md``).

The hub builds a ``MeasureQuery`` and sends ``to_parameters(query)``; the node reads it back with
``parse_parameters`` and checks it against its catalogue. This module checks only the *shape* of the
``Parameters`` (part names, value types, dates); whether a measure, stratifier or value exists is the
catalogue's business on the node. ``canonical_key`` is the stable text the node caches answers by.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.errors import InputError, Issue

MEASURE_BASE = "https://ketanet.org/fhir/Measure/"
MAX_REQUESTER_CHARS = 200

# Parameter parts a measure may take and the FHIR value type each must use (``docs/measures.md``).
CODE_PARAMETERS = frozenset({"instrument", "timepoint"})
DECIMAL_PARAMETERS = frozenset({"max-take-home-mg"})
DECIMAL_PARAMETERS |= {"alt-uln", "ast-uln", "bpic-threshold", "max-review-days"}
_SINGLE_PARTS = {
    "measure": "valueCanonical",
    "periodStart": "valueDate",
    "periodEnd": "valueDate",
    "min-cell": "valueInteger",
    "requester": "valueString",
}
_REPEATED_PARTS = {"stratifier": "valueCode", "filter": "valueString"}


@dataclass(frozen=True)
class MeasureQuery:
    """One catalogue measure over an inclusive period, with filters, stratifiers and parameters."""

    measure: str
    version: str | None
    period_start: date
    period_end: date
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stratify: tuple[str, ...] = ()
    parameters: dict[str, str | float] = field(default_factory=dict)
    min_cell: int | None = None
    requester: str | None = None
    """Who asked, as the peer names them (the hub: its analyst); signed with the query."""


def parse_parameters(body: Any) -> MeasureQuery:
    """Return the query a FHIR ``Parameters`` body asks for; raises ``InputError`` naming the part."""
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise _error("resourceType", "the body must be a FHIR Parameters resource")
    parts = body.get("parameter")
    if not isinstance(parts, list) or not parts:
        raise _error("parameter", "Parameters.parameter must be a non-empty list")
    single: dict[str, Any] = {}
    repeated: dict[str, list[str]] = {name: [] for name in _REPEATED_PARTS}
    parameters: dict[str, str | float] = {}
    for part in parts:
        name, value = _part_value(part)
        if name in _REPEATED_PARTS:
            repeated[name].append(value)
            continue
        target: dict[str, Any] = single if name in _SINGLE_PARTS else parameters
        if name in target:
            raise _error(name, "given more than once")
        target[name] = value
    for name in ("measure", "periodStart", "periodEnd"):
        if name not in single:
            raise _error(name, "required")
    measure, version = _split_canonical(single["measure"])
    start = _parse_date(single["periodStart"], "periodStart")
    end = _parse_date(single["periodEnd"], "periodEnd")
    if end < start:
        raise _error("periodEnd", "the period is inverted (periodEnd before periodStart)")
    return MeasureQuery(
        measure=measure,
        version=version,
        period_start=start,
        period_end=end,
        filters=_parse_filters(repeated["filter"]),
        stratify=_unique(repeated["stratifier"], "stratifier"),
        parameters=parameters,
        min_cell=single.get("min-cell"),
        requester=_requester(single.get("requester")),
    )


def to_parameters(query: MeasureQuery) -> dict[str, Any]:
    """Return ``query`` as a FHIR ``Parameters`` resource (plain dict) for ``$evaluate-measure``."""
    canonical = MEASURE_BASE + query.measure
    if query.version is not None:
        canonical += "|" + query.version
    parts: list[dict[str, Any]] = [
        {"name": "measure", "valueCanonical": canonical},
        {"name": "periodStart", "valueDate": query.period_start.isoformat()},
        {"name": "periodEnd", "valueDate": query.period_end.isoformat()},
    ]
    parts += [{"name": "stratifier", "valueCode": key} for key in query.stratify]
    parts += [
        {"name": "filter", "valueString": f"{key}={','.join(values)}"}
        for key, values in query.filters.items()
    ]
    for name, value in query.parameters.items():
        if isinstance(value, float | int) and not isinstance(value, bool):
            parts.append({"name": name, "valueDecimal": value})
        else:
            parts.append({"name": name, "valueCode": str(value)})
    if query.min_cell is not None:
        parts.append({"name": "min-cell", "valueInteger": query.min_cell})
    if query.requester is not None:
        parts.append({"name": "requester", "valueString": query.requester})
    return {"resourceType": "Parameters", "parameter": parts}


def _requester(value: Any) -> str | None:
    """Return the requester part (an analyst's name, 1–200 characters) or None when absent."""
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_REQUESTER_CHARS:
        raise _error("requester", f"must be a name of 1 to {MAX_REQUESTER_CHARS} characters")
    return value


def canonical_key(query: MeasureQuery) -> str:
    """Return canonical JSON of ``query``: equal for queries that ask the same question."""
    document = {
        "measure": query.measure,
        "version": query.version,
        "period": [query.period_start.isoformat(), query.period_end.isoformat()],
        "filters": {key: sorted(set(values)) for key, values in query.filters.items()},
        "stratify": sorted(set(query.stratify)),
        # Numbers as floats so 300 and 300.0 give one key.
        "parameters": {
            name: float(value) if isinstance(value, int | float) else value
            for name, value in query.parameters.items()
        },
        "min_cell": query.min_cell,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _part_value(part: Any) -> tuple[str, Any]:
    """Return (name, value) of one part, checking its value type; raises ``InputError``."""
    if not isinstance(part, dict) or not isinstance(part.get("name"), str):
        raise _error("parameter", "every part must be an object with a name")
    name: str = part["name"]
    values = {key: value for key, value in part.items() if key.startswith("value")}
    extra = set(part) - {"name", "id", "extension"} - set(values)
    if extra or len(values) != 1:
        raise _error(name, "a part must carry exactly one value[x] and no nested parts")
    [(kind, value)] = values.items()
    expected = _SINGLE_PARTS.get(name) or _REPEATED_PARTS.get(name)
    if expected is None:
        expected = "valueDecimal" if name in DECIMAL_PARAMETERS else "valueCode"
    if kind != expected:
        raise _error(name, f"must be given as {expected}")
    return name, _checked_value(name, kind, value)


def _checked_value(name: str, kind: str, value: Any) -> Any:
    if kind == "valueInteger":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _error(name, "must be a positive integer")
        return value
    if kind == "valueDecimal":
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise _error(name, "must be a number")
        return float(value)
    if not isinstance(value, str) or not value or value != value.strip():
        raise _error(name, "must be a non-empty string without surrounding spaces")
    return value


def _split_canonical(canonical: str) -> tuple[str, str | None]:
    url, bar, version = canonical.partition("|")
    if not url.startswith(MEASURE_BASE) or not url.removeprefix(MEASURE_BASE):
        raise _error("measure", f"must be a canonical URL {MEASURE_BASE}<id>[|version]")
    if bar and not version:
        raise _error("measure", "empty version after '|'")
    return url.removeprefix(MEASURE_BASE), (version if bar else None)


def _parse_date(value: str, name: str) -> date:
    # FHIR allows partial dates; a period bound must be a whole day, so only YYYY-MM-DD is taken.
    if len(value) != 10:
        raise _error(name, "must be a full date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _error(name, "must be a valid date YYYY-MM-DD") from None


def _parse_filters(items: list[str]) -> dict[str, tuple[str, ...]]:
    filters: dict[str, tuple[str, ...]] = {}
    for item in items:
        key, sep, values = item.partition("=")
        if not sep or not key:
            raise _error("filter", "must read key=value[,value]")
        if key in filters:
            raise _error("filter", f"key {key} given more than once (list its values after one =)")
        filters[key] = _unique(values.split(","), f"filter {key}")
    return filters


def _unique(values: list[str], what: str) -> tuple[str, ...]:
    if any(not value for value in values):
        raise _error(what, "empty value")
    if len(set(values)) != len(values):
        raise _error(what, "a value is given more than once")
    return tuple(values)


def _error(field_name: str, rule: str) -> InputError:
    issue = Issue(rule=rule, field=field_name)
    return InputError(str(issue), issues=[issue])


EARLIEST_PERIOD_START = date(1900, 1, 1)
"""No registry holds ketamine treatment before this; an earlier period start is a mistake or a probe."""
LATEST_PERIOD_DAYS_AHEAD = 366
"""A period may end at most this many days after today (a year ahead, for planned reporting)."""


def check_period_bounds(
    start: date, end: date, *, today: date, names: tuple[str, str] = ("periodStart", "periodEnd")
) -> None:
    """Refuse a period outside ``1900-01-01 .. today + 1 year``; raises ``InputError`` (400).

    Node and hub both check it, so an absurd period costs neither side any database work.
    """
    latest = today + timedelta(days=LATEST_PERIOD_DAYS_AHEAD)
    if start < EARLIEST_PERIOD_START:
        raise _error(names[0], f"must be on or after {EARLIEST_PERIOD_START.isoformat()}")
    if end > latest:
        raise _error(names[1], f"must be on or before {latest.isoformat()} (today + 1 year)")


def utc_today(clock: Callable[[], float]) -> date:
    """Return today's UTC date by ``clock`` (seconds since the epoch)."""
    return datetime.fromtimestamp(clock(), UTC).date()

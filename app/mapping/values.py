"""Parsing export values: numbers, dates, instants (to UTC epoch seconds) and unit conversion.

Every failure raises ``ValueProblem`` with a rule only; the value itself never goes into a message.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, time, tzinfo
from typing import Any

ISO = "ISO 8601"

_MASS_MG: dict[str, float] = {
    "mg": 1.0,
    "g": 1_000.0,
    "kg": 1_000_000.0,
    "ug": 0.001,
    "µg": 0.001,
    "μg": 0.001,
    "mcg": 0.001,
    "ng": 0.000_001,
    "lb": 453_592.37,
    "lbs": 453_592.37,
    "[lb_av]": 453_592.37,
    "oz": 28_349.523125,
    "[oz_av]": 28_349.523125,
}
"""Mass units and their size in milligrams (the registry stores mg and kg)."""

CONVERTED_DECIMALS = 6
"""Converted values are rounded so that e.g. pounds → kg gives the same record on every export."""


class ValueProblem(ValueError):
    """A source value that breaks a rule; ``rule`` is safe to show (it never holds the value)."""

    def __init__(self, rule: str, *, label: str | None = None) -> None:
        super().__init__(rule)
        self.rule = rule
        self.label = label
        """Where the problem is when it is not the field's own source (a unit or time column)."""


INSTANT_CACHE_SIZE = 65_536
"""Distinct instant texts an ISO instant parser remembers (then it starts afresh)."""


def parse_decimal(raw: Any, *, comma: bool = False) -> float:
    """Return ``raw`` as a finite float; raises ``ValueProblem``."""
    if raw.__class__ is str and not comma:
        # The common case, kept short: it runs for every number of every row.
        try:
            number = float(raw)
        except ValueError:
            raise ValueProblem("not a number") from None
        if number - number != 0.0:  # inf or nan
            raise ValueProblem("not a finite number")
        if "_" in raw:  # float() accepts 1_000, exports should not
            raise ValueProblem("not a number")
        return number
    if isinstance(raw, bool):
        raise ValueProblem("not a number")
    if isinstance(raw, int | float):
        number = float(raw)
    else:
        text = str(raw)
        if comma:
            text = text.replace(".", "").replace(",", ".") if "," in text else text
        if "_" in text:
            raise ValueProblem("not a number")
        try:
            number = float(text)
        except ValueError:
            raise ValueProblem("not a number") from None
    if not math.isfinite(number):
        raise ValueProblem("not a finite number")
    return number


def parse_int(raw: Any) -> int:
    """Return ``raw`` as an integer (``3`` or ``3.0``, not ``3.5``); raises ``ValueProblem``."""
    if isinstance(raw, bool):
        raise ValueProblem("not an integer")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise ValueProblem("not an integer")
    text = str(raw)
    try:
        return int(text)
    except ValueError:
        pass
    number = parse_decimal(text)
    if not number.is_integer():
        raise ValueProblem("not an integer")
    return int(number)


def convert_mass(value: float, source_unit: str, target_unit: str) -> float:
    """Return ``value`` in ``source_unit`` expressed in ``target_unit``; raises ``ValueProblem``."""
    if source_unit == target_unit:
        return value
    source = _MASS_MG.get(source_unit) or _MASS_MG.get(source_unit.lower())
    if source is None:
        raise ValueProblem(f"unknown unit (expected a mass unit convertible to {target_unit})")
    return round(value * source / _MASS_MG[target_unit], CONVERTED_DECIMALS)


def is_known_unit(unit: str) -> bool:
    """Return True when ``unit`` is a mass unit the converter knows."""
    return unit in _MASS_MG or unit.lower() in _MASS_MG


def parse_datetime(raw: Any, fmt: str | None) -> datetime:
    """Return ``raw`` as a datetime (naive when it has no offset); raises ``ValueProblem``."""
    text = str(raw)
    try:
        if fmt is None:
            return datetime.fromisoformat(text)
        return datetime.strptime(text, fmt)
    except ValueError as exc:
        raise ValueProblem(_date_rule(exc, fmt)) from None


def parse_time(raw: Any, fmt: str | None) -> time:
    """Return ``raw`` as a time of day; raises ``ValueProblem``."""
    text = str(raw)
    try:
        if fmt is None:
            return time.fromisoformat(text)
        return datetime.strptime(text, fmt).timetz()
    except ValueError as exc:
        raise ValueProblem(_date_rule(exc, fmt, what="time")) from None


def instant_parser(fmt: str | None, zone: tzinfo) -> Callable[[Any], int]:
    """Return a parser of date-times to UTC epoch seconds (naive values read in ``zone``)."""
    if fmt is not None:
        return lambda raw: to_epoch_s(parse_datetime(raw, fmt), zone)
    from_iso = datetime.fromisoformat
    # Exports repeat instants (clinic slots, batch times, dates without a time): a repeated text
    # costs one dict lookup instead of a parse, a zone lookup and a timestamp. Bounded, so memory
    # stays flat; only valid texts are kept (a bad one raises every time, with its rule).
    parsed: dict[str, int] = {}

    def parse_iso_instant(raw: Any) -> int:
        if raw.__class__ is str:
            found = parsed.get(raw)
            if found is not None:
                return found
        try:
            moment = from_iso(raw)
        except (ValueError, TypeError) as exc:
            raise ValueProblem(_date_rule(exc, None)) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        at_s = math.floor(moment.timestamp())
        if raw.__class__ is str:
            if len(parsed) >= INSTANT_CACHE_SIZE:
                parsed.clear()
            parsed[raw] = at_s
        return at_s

    return parse_iso_instant


def to_epoch_s(moment: datetime, zone: tzinfo) -> int:
    """Return UTC epoch seconds of ``moment``, reading a naive value in ``zone``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return math.floor(moment.timestamp())


def combine_date_time(day: datetime, at: time) -> datetime:
    """Return the date of ``day`` at time ``at`` (the time's offset, if any, wins)."""
    return datetime.combine(day.date(), at.replace(tzinfo=at.tzinfo or day.tzinfo))


def parse_birth(raw: Any, fmt: str | None) -> date | int:
    """Return a birth date, or the year alone when the source gives ``YYYY`` or ``YYYY-MM``."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    text = str(raw)
    if fmt is None and len(text) in (4, 7) and text[:4].isdigit():
        if len(text) == 7 and not (
            text[4] == "-" and text[5:].isdigit() and 1 <= int(text[5:]) <= 12
        ):
            raise ValueProblem(f"not a date in the format {ISO}")
        return int(text[:4])
    return parse_datetime(text, fmt).date()


def _date_rule(exc: Exception, fmt: str | None, *, what: str = "date/time") -> str:
    message = str(exc)
    # Python words calendar errors "day is out of range for month" / "month must be in 1..12".
    if "out of range" in message or "must be in" in message:
        return f"impossible {what} (no such day or time)"
    return f"not a {what} in the format {fmt or ISO}"

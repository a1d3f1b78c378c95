"""Calendar quantities as portable SQL: day numbers, UTC year, age band and dose band.

The store keeps each instant's UTC date as a day number (days since 1970-01-01). Date functions
differ between SQLite and PostgreSQL, so the year of a day number is integer arithmetic that both
databases evaluate identically (the four-year leap cycle, or the general days-to-civil algorithm
outside 1900..2100): one fixed expression however long the period, no lookup table to create or
migrate in the node database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, case, cast, literal

EPOCH = date(1970, 1, 1)
SECONDS_PER_DAY = 86_400

AGE_BANDS: tuple[tuple[int | None, str], ...] = (
    (18, "<18"),
    (25, "18-24"),
    (35, "25-34"),
    (45, "35-44"),
    (55, "45-54"),
    (65, "55-64"),
    (None, "65+"),
)
"""(exclusive upper bound in years, label); the last band is open."""

DOSE_BANDS_MG: tuple[tuple[int | None, str], ...] = (
    (25, "<25"),
    (50, "25-49"),
    (75, "50-74"),
    (100, "75-99"),
    (150, "100-149"),
    (None, "150+"),
)
"""(exclusive upper bound in mg, label): half-open bands, ``25-49`` is 25 <= dose < 50."""


def day_number(day: date) -> int:
    """Return the day number (days since 1970-01-01) of a calendar date."""
    return (day - EPOCH).days


def period_years(start: date, end: date) -> tuple[int, ...]:
    """Return the calendar years an inclusive period touches."""
    return tuple(range(start.year, end.year + 1))


def year_of_day(day: ColumnElement[Any], start: date, end: date) -> ColumnElement[int]:
    """Return the UTC year of ``day``, exact for days in the period ``start..end``.

    A fixed expression whatever the period's length, never a branch per year: a constant for a
    period inside one year; between 1900 and 2100-02-28 (every period a node accepts) the
    four-year cycle ``_four_year_cycle_year``; beyond, the general ``_civil_year``.
    """
    years = period_years(start, end)
    if len(years) == 1:
        return literal(years[0], Integer)
    if start >= date(1900, 1, 1) and end <= _LAST_FOUR_YEAR_CYCLE_DAY:
        return _four_year_cycle_year(day, before_1901=start < _FIRST_CYCLE_DAY)
    return _civil_year(day)


_FIRST_CYCLE_DAY = date(1901, 1, 1)
_LAST_FOUR_YEAR_CYCLE_DAY = date(2100, 2, 28)
"""From 1901-01-01 to here every fourth year is a leap year (2000 is one, 1900 and 2100 are not)."""


def _four_year_cycle_year(day: ColumnElement[Any], *, before_1901: bool) -> ColumnElement[int]:
    """Return the year of a day between 1900-01-01 and 2100-02-28 with one integer division.

    From 1901-01-01 the years run in blocks of 1,461 days (365, 365, 365, 366), so the year is
    ``1901 + (4n + 3) // 1461`` for the day ``n`` days after 1901-01-01; 1900 (not a leap year,
    and before the first block) is one comparison.
    """
    offset = day - day_number(_FIRST_CYCLE_DAY)
    year = cast(offset * 4 + 3, Integer) // 1461 + 1901
    if not before_1901:
        return cast(year, Integer)
    return case((day < day_number(_FIRST_CYCLE_DAY), literal(1900, Integer)), else_=year)


def _civil_year(day: ColumnElement[Any]) -> ColumnElement[int]:
    """Return the proleptic Gregorian year of a day number by integer arithmetic only.

    The days-to-civil algorithm (eras of 400 years = 146,097 days, years counted from March so
    the leap day ends a year) shifted so every day from 0000-03-01 on is non-negative: the integer
    divisions then truncate exactly as floors, on SQLite and PostgreSQL alike (periods start no
    earlier than 1900).
    """
    z = day + 719_468
    era = _div(z, 146_097)
    doe = z - era * 146_097
    yoe = _div(doe - _div(doe, 1_460) + _div(doe, 36_524) - _div(doe, 146_096), 365)
    doy = doe - (yoe * 365 + _div(yoe, 4) - _div(yoe, 100))
    march_based_month = _div(doy * 5 + 2, 153)  # 0 = March ... 10 = January, 11 = February
    january_or_february = case((march_based_month >= 10, 1), else_=0)
    return cast(yoe + era * 400 + january_or_february, Integer)


def _div(value: ColumnElement[Any], divisor: int) -> ColumnElement[Any]:
    """Return ``value / divisor`` as integer division of non-negative integers."""
    return cast(value, Integer) // divisor


def band(
    value: ColumnElement[Any], bands: tuple[tuple[int | None, str], ...]
) -> ColumnElement[str]:
    """Return the label of the half-open band ``value`` falls in (bands as in ``AGE_BANDS``)."""
    bounded = [
        (value < upper, literal(label, String)) for upper, label in bands if upper is not None
    ]
    return case(*bounded, else_=literal(bands[-1][1], String))

"""Calendar quantities as portable SQL: day numbers, UTC year, age band and dose band.

The store keeps each instant's UTC date as a day number (days since 1970-01-01). Date functions
differ between SQLite and PostgreSQL, so the year of a day number is a ``CASE`` over the year
boundaries computed here in Python. Only days inside the query period ever need a year (index
administrations and administrations are in the period by definition), so the ``CASE`` has one branch
per year boundary the period crosses: no lookup table to create or migrate in the node database,
and integer comparisons that both databases evaluate identically.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, case, literal

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
    """Return the UTC year of ``day``, exact for days in the period ``start..end``."""
    years = period_years(start, end)
    if len(years) == 1:
        return literal(years[0], Integer)
    whens = [
        (day < day_number(date(year + 1, 1, 1)), literal(year, Integer)) for year in years[:-1]
    ]
    return case(*whens, else_=literal(years[-1], Integer))


def band(
    value: ColumnElement[Any], bands: tuple[tuple[int | None, str], ...]
) -> ColumnElement[str]:
    """Return the label of the half-open band ``value`` falls in (bands as in ``AGE_BANDS``)."""
    bounded = [
        (value < upper, literal(label, String)) for upper, label in bands if upper is not None
    ]
    return case(*bounded, else_=literal(bands[-1][1], String))

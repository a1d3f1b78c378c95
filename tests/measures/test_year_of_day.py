"""The year stratifier's SQL: exact for every day of the widest period, one expression however
long the period (no branch per year), the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, Integer, column, create_engine, select, text
from sqlalchemy.dialects import sqlite

from app.measures.calendar import day_number, year_of_day

PERIODS = [
    (date(1900, 1, 1), date(2027, 12, 31)),  # the widest a node accepts (1900 is no leap year)
    (date(1999, 12, 30), date(2001, 1, 2)),  # 2000 is one
    (date(1850, 1, 1), date(2101, 3, 1)),  # outside the four-year cycle: the general algorithm
]


def _wrong_years(engine: Engine, start: date, end: date) -> int:
    days = [day_number(start) + n for n in range((end - start).days + 1)]
    wrong = 0
    with engine.connect() as connection:
        for first in range(0, len(days), 5000):
            values = ",".join(f"({d})" for d in days[first : first + 5000])
            raw = (
                f"SELECT column1 AS d FROM (VALUES {values}) AS v"
                if engine.dialect.name == "sqlite"
                else f"SELECT v.d FROM (VALUES {values}) AS v(d)"
            )
            table = text(raw).columns(d=Integer).subquery()
            query = select(table.c.d, year_of_day(table.c.d, start, end))
            for day, year in connection.execute(query):
                wrong += (date(1970, 1, 1) + timedelta(days=day)).year != year
    return wrong


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_year_is_exact_for_every_day_on_sqlite(start: date, end: date) -> None:
    assert _wrong_years(create_engine("sqlite://"), start, end) == 0


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_year_is_exact_for_every_day_on_postgresql(
    postgres_url: str, start: date, end: date
) -> None:
    engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    assert _wrong_years(engine, start, end) == 0
    engine.dispose()


def test_year_expression_does_not_grow_with_the_period() -> None:
    day = column("day", Integer)

    def sql(start: date, end: date) -> str:
        return str(year_of_day(day, start, end).compile(dialect=sqlite.dialect()))

    two_years = sql(date(2024, 1, 1), date(2025, 12, 31))
    widest = sql(date(1901, 1, 1), date(2027, 12, 31))
    assert len(widest) == len(two_years)
    assert "CASE" not in widest

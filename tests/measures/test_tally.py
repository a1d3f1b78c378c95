"""Tallies by stratum value (SQLite) count as the GROUP BY form does, values outside the domain
included."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, create_engine, insert

from app.measures.aggregate import PopulationSource, count_populations
from app.measures.tally import can_tally

METADATA = MetaData()
DOSES = Table(
    "doses",
    METADATA,
    Column("patient_id", String),
    Column("route", String),
    Column("year", Integer),
)
ROUTES = ("iv", "im", "oral")
YEARS = ("2023", "2024")


@pytest.fixture
def connection() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        METADATA.create_all(connection)
        yield connection


def _fill(connection: Connection, rows: list[tuple[str, str | None, int]]) -> None:
    connection.execute(
        insert(DOSES), [{"patient_id": p, "route": r, "year": y} for p, r, y in rows]
    )


def _source(domains: tuple[tuple[str, ...], ...], where: object = None) -> PopulationSource:
    subquery = DOSES.select().subquery("counted")
    return PopulationSource(
        "doses", subquery, ("route", "year"), additive=True, where=where, domains=domains
    )


def test_tally_counts_as_group_by_with_known_domains(connection: Connection) -> None:
    _fill(connection, [("a", "iv", 2023), ("a", "iv", 2024), ("b", "oral", 2024)])
    tallied = _source((ROUTES, YEARS))
    grouped = _source(())
    assert can_tally(tallied) and not can_tally(grouped)
    assert count_populations(connection, [tallied]) == count_populations(connection, [grouped])
    (result,) = count_populations(connection, [tallied])
    assert result.total.count == 3
    assert {k: c.count for k, c in result.strata["route"].items()} == {"iv": 2, "oral": 1}
    assert {k: c.count for k, c in result.strata["year"].items()} == {"2023": 1, "2024": 2}


def test_tally_recounts_by_group_by_when_a_value_is_outside_the_domain(
    connection: Connection,
) -> None:
    _fill(connection, [("a", "iv", 2023), ("b", "nasal", 2024), ("c", None, 2024)])
    (result,) = count_populations(connection, [_source((ROUTES, YEARS))])
    assert result.total.count == 3
    assert {k: c.count for k, c in result.strata["route"].items()} == {
        "iv": 1,
        "nasal": 1,
        "None": 1,
    }
    assert count_populations(connection, [_source((ROUTES, YEARS))]) == count_populations(
        connection, [_source(())]
    )


def test_tally_counts_each_population_of_a_shared_source_by_its_condition(
    connection: Connection,
) -> None:
    _fill(connection, [("a", "iv", 2023), ("b", "im", 2024), ("b", "im", 2023)])
    subquery = DOSES.select().subquery("counted")
    sources = [
        PopulationSource("all", subquery, ("route",), True, domains=(ROUTES,)),
        PopulationSource(
            "of-b",
            subquery,
            ("route",),
            True,
            where=subquery.c.patient_id == "b",
            domains=(ROUTES,),
        ),
    ]
    every, of_b = count_populations(connection, sources)
    assert (every.total.count, of_b.total.count) == (3, 2)
    assert {k: c.count for k, c in of_b.strata["route"].items()} == {"im": 2}


def test_tally_is_not_used_for_a_year_domain_not_written_as_integers() -> None:
    assert not can_tally(_source((ROUTES, ("2023", "year"))))

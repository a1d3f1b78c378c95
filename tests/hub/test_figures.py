"""Per-country count intervals: each table bounded by its own overlap flag."""

from __future__ import annotations

from datetime import date

from app.disclosure.bounds import Bounded
from app.exchange.answer import Cell, MeasureAnswer, PopulationResult
from app.hub.figures import country_figures

SMALL = Cell(None, ("small-cell",))
COMPLEMENTARY = Cell(None, ("complementary",))


def interval(bound: Bounded) -> tuple[str, int | None, int, int]:
    return bound.status, bound.count, bound.lower, bound.upper


def test_overlap_widens_only_the_tables_whose_strata_overlap() -> None:
    # events by event are disjoint (one event, one type); patients-with-event by event overlap
    strata = {"nausea": Cell(60), "headache": Cell(30), "vomiting": COMPLEMENTARY, "mania": SMALL}
    answer = MeasureAnswer(
        measure="adverse-events",
        version="1",
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
        populations=[
            PopulationResult("events", Cell(100), {"event": dict(strata)}),
            PopulationResult(
                "patients-with-event", Cell(100), {"event": dict(strata)}, frozenset({"event"})
            ),
        ],
        strata_overlap={"event": True},
    )
    figures = country_figures(answer, "NO")
    assert interval(figures.strata["events"]["event"]["vomiting"]) == ("masked", None, 0, 10)
    assert interval(figures.strata["patients-with-event"]["event"]["vomiting"]) == (
        "masked",
        None,
        0,
        100,
    )

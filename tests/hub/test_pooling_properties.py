"""Property: whatever the true tables, pooled bounds of masked and rounded answers hold the truth.

The test masks true tables itself (small cells, then complementary suppression per table, then
optional rounding, with zero strata sometimes omitted), the way ``docs/disclosure.md`` describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.exchange.answer import Cell, DisclosurePolicy, MeasureAnswer, PopulationResult
from app.hub.pooling import PooledQuery, pool_answers
from app.hub.replies import NodeReply


def pooled(query: PooledQuery, replies: list[NodeReply]) -> dict[str, Any]:
    """Return the pooled document in its JSON form (the contract's keys and values)."""
    return pool_answers(query, replies).model_dump()


START, END = date(2024, 1, 1), date(2024, 12, 31)
STRATIFIERS = {"route": ["iv", "im", "sc", "intranasal"], "sex": ["female", "male", "other"]}
QUERY = PooledQuery("q-prop", "efficacy", START, END, stratify=("route", "sex"))


@dataclass
class TrueNode:
    country: str
    policy: DisclosurePolicy
    omit_zero: bool
    # population -> (total, stratifier -> value -> count)
    tables: dict[str, tuple[int, dict[str, dict[str, int]]]]


@st.composite
def true_nodes(draw: st.DrawFn, country: str) -> TrueNode:
    denominator: dict[str, dict[str, int]] = {}
    responders: dict[str, dict[str, int]] = {}
    for stratifier, values in STRATIFIERS.items():
        den = {v: draw(st.integers(0, 40)) for v in values}
        denominator[stratifier] = den
        responders[stratifier] = {v: draw(st.integers(0, n)) for v, n in den.items()}
    den_total = max(sum(t.values()) for t in denominator.values()) + draw(st.integers(0, 5))
    resp_floor = max(sum(t.values()) for t in responders.values())
    resp_total = min(den_total, resp_floor + draw(st.integers(0, 5)))
    policy = DisclosurePolicy(
        min_cell=draw(st.integers(2, 15)),
        mask_zero=draw(st.booleans()),
        rounding=draw(st.sampled_from([0, 0, 3, 5, 10])),
    )
    tables = {"denominator": (den_total, denominator), "responders": (resp_total, responders)}
    return TrueNode(country, policy, draw(st.booleans()), tables)


def mask_table(total: Cell, strata: dict[str, int], policy: DisclosurePolicy) -> dict[str, Cell]:
    small = lambda n: 0 < n < policy.min_cell or (policy.mask_zero and n == 0)  # noqa: E731
    cells = {v: Cell(None, ("small-cell",)) if small(n) else Cell(n) for v, n in strata.items()}
    while True:
        masked = [v for v, c in cells.items() if c.count is None]
        shown = [v for v, c in cells.items() if c.count is not None]
        one_masked = len(masked) == 1 and total.count is not None
        total_recoverable = total.count is None and not masked
        if not shown or not (one_masked or total_recoverable):
            return cells
        smallest = min(shown, key=lambda v: (cells[v].count, v))
        cells[smallest] = Cell(None, ("complementary",))


def rounded(cell: Cell, base: int) -> Cell:
    if base == 0 or cell.count is None:
        return cell
    return Cell(int(base * round(cell.count / base)), (*cell.reasons, "rounded"))


def disclose(node: TrueNode) -> MeasureAnswer:
    policy = node.policy
    populations = []
    for population, (true_total, tables) in node.tables.items():
        small_total = 0 < true_total < policy.min_cell or (policy.mask_zero and true_total == 0)
        total = Cell(None, ("small-cell",)) if small_total else Cell(true_total)
        strata: dict[str, dict[str, Cell]] = {}
        for stratifier, values in tables.items():
            cells = mask_table(total, values, policy)
            strata[stratifier] = {
                v: rounded(c, policy.rounding)
                for v, c in cells.items()
                if not (node.omit_zero and c.count == 0)
            }
        populations.append(PopulationResult(population, rounded(total, policy.rounding), strata))
    return MeasureAnswer("efficacy", "1", START, END, populations, policy=policy)


def truth(nodes: list[TrueNode], row: dict[str, Any]) -> int:
    chosen = [n for n in nodes if row["country"] in (n.country, "ALL")]
    value = 0
    for node in chosen:
        total, tables = node.tables[row["population"]]
        value += total if row["stratifier"] is None else tables[row["stratifier"]][row["stratum"]]
    return value


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.sampled_from(["NO", "DE", "PT", "SE"]), min_size=1, max_size=4, unique=True
    ).flatmap(lambda cs: st.tuples(*(true_nodes(c) for c in cs)))
)
def test_pooled_bounds_contain_truth_when_answers_are_masked(
    nodes_tuple: tuple[TrueNode, ...],
) -> None:
    nodes = list(nodes_tuple)
    outcomes = [NodeReply(n.country.lower(), n.country, "ok", answer=disclose(n)) for n in nodes]
    doc = pooled(QUERY, outcomes)
    assert all(node["status"] == "ok" for node in doc["nodes"])
    all_rows = [row for row in doc["rows"] if row["country"] == "ALL"]
    assert {(r["population"], r["stratifier"]) for r in all_rows if r["stratum"] is None} == {
        ("denominator", None),
        ("responders", None),
    }
    for row in doc["rows"]:
        true_value = truth(nodes, row)
        assert row["lower"] <= true_value <= row["upper"], row
        if row["status"] == "exact":
            assert row["count"] == true_value
    for row in doc["statistics"]:
        if row["statistic"] != "response":
            continue
        key = {
            "country": row["country"],
            "stratifier": row["stratifier"],
            "stratum": row["stratum"],
        }
        den = truth(nodes, {**key, "population": "denominator"})
        resp = truth(nodes, {**key, "population": "responders"})
        if den == 0 or row["lower_bound"] is None:
            continue
        assert row["lower_bound"] - 1e-12 <= resp / den <= row["upper_bound"] + 1e-12, row
        if row["estimate"] is not None:
            assert row["estimate"] == resp / den

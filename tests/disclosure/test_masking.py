"""Small-cell masking, complementary suppression and rounding over random tables (properties)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.disclosure import apply_disclosure, effective_policy, mask_small_cells, round_counts
from app.disclosure.masking import suppress_table
from app.exchange.answer import Cell, DisclosurePolicy, PopulationResult

pytestmark = pytest.mark.disclosure


@st.composite
def partition(draw: st.DrawFn, total: int, parts: int, overlap: bool) -> list[int]:
    """Return ``parts`` counts that sum to ``total`` (or more, each ≤ total, when overlapping)."""
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
    counts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    if overlap:
        counts = [min(total, c + draw(st.integers(0, total))) for c in counts]
    return counts


@st.composite
def answers(draw: st.DrawFn) -> tuple[list[PopulationResult], bool]:
    """Return random additive (or overlapping) tables sharing totals, and whether zeros are kept."""
    keep_zero = draw(st.booleans())
    populations = []
    for number in range(draw(st.integers(1, 3))):
        total = draw(st.integers(0, 60))
        strata = {}
        for key in range(draw(st.integers(0, 3))):
            counts = draw(partition(total, draw(st.integers(1, 8)), draw(st.booleans())))
            strata[f"s{key}"] = {f"v{i}": Cell(c) for i, c in enumerate(counts) if c or keep_zero}
        populations.append(PopulationResult(f"p{number}", Cell(total), strata))
    return populations, keep_zero


def recoverable(result: PopulationResult) -> list[str]:
    """Return stratifiers whose table gives a masked cell away by subtraction (as if additive)."""
    found = []
    for key, table in result.strata.items():
        masked = sum(cell.masked for cell in table.values())
        if (not result.total.masked and masked == 1) or (
            result.total.masked and masked == 0 and table
        ):
            found.append(key)
    return found


@settings(max_examples=400, deadline=None)
@given(answers(), st.integers(2, 20), st.booleans())
def test_disclosed_tables_show_no_small_cell_and_hide_no_recoverable_cell(
    generated: tuple[list[PopulationResult], bool], min_cell: int, mask_zero: bool
) -> None:
    exact, _ = generated
    policy = DisclosurePolicy(min_cell=min_cell, mask_zero=mask_zero)
    disclosed, noise = apply_disclosure(exact, policy=policy)
    assert noise == {}
    for before, after in zip(exact, disclosed, strict=True):
        cells = [after.total, *(c for table in after.strata.values() for c in table.values())]
        for cell in cells:
            if cell.count is not None:
                assert not 0 < cell.count < min_cell
                assert not (mask_zero and cell.count == 0)
                assert cell.reasons == ()
            else:
                assert cell.reasons in (("small-cell",), ("complementary",))
        assert recoverable(after) == []
        # A shared total is withheld only when small itself.
        assert after.total.masked == (
            before.total.count is not None
            and (0 < before.total.count < min_cell or (mask_zero and before.total.count == 0))
        )


def test_suppress_table_masks_smallest_shown_stratum_next_to_a_single_small_cell() -> None:
    table = {"a": Cell(None, ("small-cell",)), "b": Cell(40), "c": Cell(12), "d": Cell(30)}
    assert suppress_table(Cell(85), table) == {
        "a": Cell(None, ("small-cell",)),
        "b": Cell(40),
        "c": Cell(None, ("complementary",)),
        "d": Cell(30),
    }


def test_suppress_table_masks_a_stratum_when_only_the_total_is_masked() -> None:
    table = {"a": Cell(0), "b": Cell(5)}
    suppressed = suppress_table(Cell(None, ("small-cell",)), table)
    assert suppressed["a"] == Cell(None, ("complementary",))  # the smallest, even a shown zero
    assert suppressed["b"] == Cell(5)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=40), st.integers(2, 15))
def test_suppress_table_terminates_within_one_pass_per_stratum(
    counts: list[int], min_cell: int
) -> None:
    table = {f"v{i}": Cell(c) for i, c in enumerate(counts)}
    total = Cell(sum(counts))
    masked = mask_small_cells(
        [PopulationResult("p", total, {"s": table})], min_cell=min_cell, mask_zero=False
    )
    result = suppress_table(masked[0].total, masked[0].strata["s"])
    newly = sum("complementary" in c.reasons for c in result.values())
    assert newly <= 1 or masked[0].total.masked  # one extra cell always suffices for a shown total


def test_round_counts_rounds_half_up_and_labels_every_shown_count() -> None:
    exact = [
        PopulationResult(
            "p", Cell(12), {"s": {"a": Cell(15), "b": Cell(None, ("small-cell",)), "c": Cell(20)}}
        )
    ]
    rounded = round_counts(exact, base=10)[0]
    assert rounded.total == Cell(10, ("rounded",))
    assert rounded.strata["s"] == {
        "a": Cell(20, ("rounded",)),
        "b": Cell(None, ("small-cell",)),
        "c": Cell(20, ("rounded",)),
    }


def test_effective_policy_takes_stricter_query_min_cell_only() -> None:
    node = DisclosurePolicy(min_cell=11, rounding=5)
    assert effective_policy(node, 20).min_cell == 20
    assert effective_policy(node, 3).min_cell == 11
    assert effective_policy(node, None) == DisclosurePolicy(min_cell=11, rounding=5)

"""The near-duplicate check: sketches, the lower bound on differences, masks, value lists."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.disclosure.differencing import (
    difference_lower_bound,
    is_near_duplicate,
    mask_near_duplicates,
    near_duplicates,
    partial_value_lists,
    shown_cells,
    sketch_of,
)
from app.exchange.answer import Cell, PopulationResult

pytestmark = pytest.mark.disclosure

members = st.sets(st.integers(0, 2**32 - 1), max_size=60)


@given(members, members)
def test_lower_bound_never_exceeds_the_true_difference(a: set[int], b: set[int]) -> None:
    assert difference_lower_bound(sketch_of(a), sketch_of(b)) <= len(a ^ b)


@given(members, st.sets(st.integers(0, 2**32 - 1), min_size=1, max_size=10))
def test_a_subset_or_superset_is_measured_exactly(a: set[int], extra: set[int]) -> None:
    grown = a | extra
    assert difference_lower_bound(sketch_of(grown), sketch_of(a)) == len(grown - a)
    assert is_near_duplicate(sketch_of(grown), sketch_of(a), 11) == (0 < len(grown - a) < 11)


def test_same_members_are_no_near_duplicate_and_far_sets_are_not_either() -> None:
    rng = random.Random(3)
    cohort = {rng.randrange(2**32) for _ in range(400)}
    other = {rng.randrange(2**32) for _ in range(400)}
    assert not is_near_duplicate(sketch_of(cohort), sketch_of(set(cohort)), 11)
    assert not is_near_duplicate(sketch_of(cohort), sketch_of(other), 11)
    swapped = (cohort - set(list(cohort)[:3])) | set(list(other)[:3])  # 3 out, 3 in: 6 differ
    assert is_near_duplicate(sketch_of(swapped), sketch_of(cohort), 11)


def test_near_duplicates_compares_with_released_sketches_of_close_sizes() -> None:
    cohort = set(range(0, 4000, 7))
    released = {len(cohort): [sketch_of(cohort)]}
    new = {
        ("p", None, None): sketch_of(cohort | {1, 2, 3}),
        ("p", "sex", "female"): sketch_of(set(range(1, 4000, 7))),
    }
    assert near_duplicates(new, released, 11) == {("p", None, None)}


def test_mask_near_duplicates_masks_strata_then_their_complements_not_totals() -> None:
    populations = [
        PopulationResult("p", Cell(40), {"sex": {"female": Cell(25), "male": Cell(15)}}),
        PopulationResult("q", Cell(30), {"sex": {"female": Cell(20), "male": Cell(10)}}),
    ]
    near = {("p", "sex", "female"), ("p", None, None), ("q", None, None)}
    masked = mask_near_duplicates(populations, near, nested=frozenset({"q"}))
    p, q = masked
    assert p.total == Cell(40)  # the caller refuses such an answer
    assert p.strata["sex"]["female"].reasons == ("complementary",)
    assert p.strata["sex"]["male"].count is None  # recoverable by subtraction otherwise
    assert q.total == Cell(None, ("complementary",))  # nested: bounded by its parent
    assert shown_cells(masked) == [("p", None, None), ("q", "sex", "female")]


def test_partial_value_lists_are_named() -> None:
    domains = {"drug": ("ketamine", "esketamine", "arketamine"), "sex": ("female", "male")}
    assert partial_value_lists({"drug": ("ketamine",)}, domains) == ()
    assert partial_value_lists({"drug": ("ketamine", "esketamine", "arketamine")}, domains) == ()
    assert partial_value_lists({"drug": ("ketamine", "esketamine")}, domains) == ("drug",)

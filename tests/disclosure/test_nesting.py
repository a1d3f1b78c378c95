"""Nested populations: a child is masked where its published complement in the parent is small."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.disclosure.membership import CellMembership
from app.disclosure.nesting import Nesting, mask_nested_complements, nesting_closure
from app.exchange.answer import Cell, PopulationResult

pytestmark = pytest.mark.disclosure

TREATED_DISCONTINUED = [Nesting("discontinued", "treated-patients", frozenset({"drug", "route"}))]


def _answer(treated: int, stopped: int, by_drug: dict[str, tuple[int, int]]) -> list:
    return [
        PopulationResult(
            "treated-patients",
            Cell(treated),
            {"drug": {drug: Cell(t) for drug, (t, _) in by_drug.items()}},
        ),
        PopulationResult(
            "discontinued",
            Cell(stopped),
            {
                "drug": {drug: Cell(s) for drug, (_, s) in by_drug.items()},
                "reason": {"cost": Cell(stopped)},
            },
        ),
    ]


def test_child_total_is_masked_when_the_complement_is_small() -> None:
    answer = _answer(32, 23, {"ketamine": (20, 19), "esketamine": (12, 1)})
    treated, stopped = mask_nested_complements(
        answer, nesting=TREATED_DISCONTINUED, min_cell=11, mask_zero=False
    )
    assert stopped.total == Cell(None, ("complementary",))  # 32 − 23 = 9
    assert stopped.strata["drug"]["ketamine"] == Cell(None, ("complementary",))  # 20 − 19 = 1
    assert stopped.strata["drug"]["esketamine"] == Cell(1)  # 12 − 1 = 11: not small
    assert treated == answer[0]  # parents are never touched
    assert stopped.strata["reason"]["cost"] == Cell(23)  # reason does not nest


def test_child_equal_to_its_parent_is_kept_unless_zeros_are_masked() -> None:
    answer = _answer(40, 40, {"ketamine": (40, 40)})
    kept = mask_nested_complements(
        answer, nesting=TREATED_DISCONTINUED, min_cell=11, mask_zero=False
    )
    assert kept[1].total == Cell(40)
    hidden = mask_nested_complements(
        answer, nesting=TREATED_DISCONTINUED, min_cell=11, mask_zero=True
    )
    assert hidden[1].total == Cell(None, ("complementary",))


def test_perturbed_pair_is_masked_on_published_values_and_memberships() -> None:
    # Published 30 and 31 (perturbation moved them): different members → the complement is small.
    answer = _answer(30, 31, {})
    members = {
        ("treated-patients", None, None): CellMembership(33, 1, 1),
        ("discontinued", None, None): CellMembership(29, 2, 2),
    }
    masked = mask_nested_complements(
        answer, nesting=TREATED_DISCONTINUED, min_cell=11, mask_zero=False, memberships=members
    )
    assert masked[1].total.masked
    # The same members publish the same value and are kept.
    same = {key: CellMembership(40, 5, 9) for key in members}
    kept = mask_nested_complements(
        _answer(40, 40, {}),
        nesting=TREATED_DISCONTINUED,
        min_cell=11,
        mask_zero=False,
        memberships=same,
    )
    assert kept[1].total == Cell(40)


def test_masked_parent_or_child_is_no_published_pair() -> None:
    answer = [
        PopulationResult("treated-patients", Cell(None, ("small-cell",))),
        PopulationResult("discontinued", Cell(5)),
    ]
    assert (
        mask_nested_complements(answer, nesting=TREATED_DISCONTINUED, min_cell=1, mask_zero=False)
        == answer
    )


def test_closure_follows_chains_and_keeps_strata_nesting_along_all_of_them() -> None:
    pairs = [
        Nesting("denominator", "initial-population", frozenset({"drug", "sex"})),
        Nesting("responders", "denominator", frozenset({"drug", "route"})),
        Nesting("remitters", "remitters-12", frozenset({"drug"})),
        Nesting("remitters-12", "denominator", frozenset({"drug"})),
    ]
    closure = {(n.child, n.parent): n.stratifiers for n in nesting_closure(pairs)}
    assert closure[("responders", "initial-population")] == {"drug"}
    assert closure[("remitters", "initial-population")] == {"drug"}
    assert closure[("remitters", "denominator")] == {"drug"}
    assert ("initial-population", "responders") not in closure
    assert len(closure) == 8


@given(
    st.integers(0, 60),
    st.integers(0, 60),
    st.integers(1, 15),
    st.booleans(),
)
def test_no_published_exact_pair_reveals_a_small_complement(
    parent: int, child: int, min_cell: int, mask_zero: bool
) -> None:
    child = min(child, parent)
    answer = [
        PopulationResult("treated-patients", Cell(parent)),
        PopulationResult("discontinued", Cell(child)),
    ]
    result = mask_nested_complements(
        answer, nesting=TREATED_DISCONTINUED, min_cell=min_cell, mask_zero=mask_zero
    )
    shown = result[1].total.count
    if shown is not None:
        complement = parent - shown
        assert complement >= min_cell or (complement == 0 and not mask_zero)

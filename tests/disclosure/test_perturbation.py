"""The cell-key perturbation table (properties) and the perturbation step."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.disclosure.membership import CellMembership
from app.disclosure.perturbation import (
    KEY_SPACE,
    cell_key,
    half_width,
    perturb_cells,
    perturbation_table,
    row_variance,
)
from app.exchange.answer import Cell, PopulationResult

pytestmark = pytest.mark.disclosure

ckm_max = st.integers(1, 6)
variance = st.floats(0.05, 12.0, allow_nan=False)


@given(ckm_max, variance, st.integers(0, 400))
def test_table_rows_have_zero_mean_over_the_256_keys(m: int, v: float, count: int) -> None:
    table = perturbation_table(ckm_max=m, variance=v)
    row = [table.perturbation(count, key) for key in range(KEY_SPACE)]
    assert sum(row) == 0  # exactly: every row is symmetric


@given(ckm_max, variance, st.integers(0, 400))
def test_table_is_bounded_and_never_makes_a_count_negative(m: int, v: float, count: int) -> None:
    table = perturbation_table(ckm_max=m, variance=v)
    for key in range(KEY_SPACE):
        p = table.perturbation(count, key)
        assert abs(p) <= m
        assert count + p >= 0
        if count >= 50:
            assert abs(p) * 20 <= count  # 50 and more: never moved by more than 5%


@given(ckm_max, variance, st.integers(0, 400))
def test_table_variance_is_the_configured_one_where_the_row_allows(
    m: int, v: float, count: int
) -> None:
    table = perturbation_table(ckm_max=m, variance=v)
    h = half_width(count, ckm_max=m)
    achieved = row_variance(table.rows[min(count, table.cap)])
    if h == 0:
        assert achieved == 0
        return
    squares = h * (h + 1) * (2 * h + 1) // 6
    step = 2 * squares / KEY_SPACE  # one more key on each p ≠ 0
    widest = (KEY_SPACE // (2 * h)) * step  # all keys off zero
    assert achieved <= widest + 1e-12
    if v <= widest:
        assert abs(achieved - v) <= step / 2 + 1e-12
    else:
        assert achieved == pytest.approx(widest)


def test_default_table_is_nearly_uniform_on_minus_three_to_three() -> None:
    table = perturbation_table()
    assert table.ckm_max == 3 and table.cap == 60
    row = table.rows[20]
    counts = {p: row.count(p) for p in range(-3, 4)}
    assert counts == {-3: 37, -2: 37, -1: 37, 0: 34, 1: 37, 2: 37, 3: 37}
    assert row_variance(row) == pytest.approx(4.047, abs=1e-3)
    # 50–59 may move by 2 at most (5%), and from 60 on by 3 again: the cap row serves the rest.
    assert {abs(p) for p in table.rows[55]} == {1, 2}
    assert table.perturbation(10_000, 7) == table.rows[60][7]


def test_table_refuses_an_empty_design() -> None:
    with pytest.raises(ValueError, match="ckm_max"):
        perturbation_table(ckm_max=0)
    with pytest.raises(ValueError, match="variance"):
        perturbation_table(variance=0.0)
    with pytest.raises(ValueError, match="no perturbation"):
        perturbation_table().perturbation(3, 256)


@given(st.lists(st.integers(0, 255), max_size=40), st.permutations(range(40)))
def test_cell_key_depends_only_on_the_members(keys: list[int], order: list[int]) -> None:
    shuffled = [keys[i] for i in order if i < len(keys)]
    assert cell_key(shuffled) == cell_key(keys) == sum(keys) % 256
    assert 0 <= cell_key(keys) < 256


def test_perturb_cells_labels_every_shown_cell_and_uses_its_key() -> None:
    table = perturbation_table()
    populations = [
        PopulationResult(
            "p",
            Cell(200),
            {"sex": {"female": Cell(120), "male": Cell(80), "other": Cell(0)}},
        ),
        PopulationResult("q", Cell(None, ("small-cell",))),
    ]
    memberships = {
        ("p", None, None): CellMembership(200, 5 + 256 * 9, 1),
        ("p", "sex", "female"): CellMembership(120, 17, 2),
        ("p", "sex", "male"): CellMembership(80, 250, 3),
    }
    result = perturb_cells(populations, memberships=memberships, table=table)
    p, q = result
    assert p.total == Cell(table.perturbed(200, 5), ("perturbed",))
    assert p.strata["sex"]["female"].count == table.perturbed(120, 17)
    assert p.strata["sex"]["male"].count == table.perturbed(80, 250)
    assert p.strata["sex"]["other"] == Cell(0, ("perturbed",))  # an empty cell stays 0
    assert q.total == Cell(None, ("small-cell",))


def test_perturb_cells_refuses_a_cell_without_its_membership() -> None:
    with pytest.raises(ValueError, match="no membership"):
        perturb_cells([PopulationResult("p", Cell(4))], memberships={}, table=perturbation_table())
    with pytest.raises(ValueError, match="membership counts"):
        perturb_cells(
            [PopulationResult("p", Cell(4))],
            memberships={("p", None, None): CellMembership(5, 0, 0)},
            table=perturbation_table(),
        )

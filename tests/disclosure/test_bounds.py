"""Bounds of disclosure-controlled cells (``docs/disclosure.md``): one rule per test."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.disclosure.bounds import (
    Bounded,
    disclosure_problem,
    exact_count,
    strata_bounds,
    sum_bounds,
    total_bounds,
)
from app.exchange.answer import Cell, DisclosurePolicy, MeasureAnswer, PopulationResult

SMALL = Cell(None, ("small-cell",))
COMPLEMENTARY = Cell(None, ("complementary",))
DEFAULT = DisclosurePolicy()


def interval(bound: Bounded) -> tuple[str, int | None, int, int]:
    return bound.status, bound.count, bound.lower, bound.upper


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (DisclosurePolicy(), (1, 10)),
        (DisclosurePolicy(mask_zero=True), (0, 10)),
        (DisclosurePolicy(min_cell=5), (1, 4)),
    ],
)
def test_small_cell_bound_follows_policy_when_cell_masked_small(
    policy: DisclosurePolicy, expected: tuple[int, int]
) -> None:
    total = total_bounds(Cell(120), policy)
    strata = strata_bounds(
        {"iv": Cell(110), "sc": SMALL}, total=total, overlap=False, policy=policy
    )
    assert interval(strata["sc"]) == ("masked", None, *expected)
    assert interval(total_bounds(SMALL, policy)) == ("masked", None, *expected)


def test_complementary_bound_is_total_minus_shown_strata_when_table_is_additive() -> None:
    total = total_bounds(Cell(100), DEFAULT)
    route = {"iv": Cell(70), "im": Cell(25), "sc": SMALL, "oral": COMPLEMENTARY}
    strata = strata_bounds(route, total=total, overlap=False, policy=DEFAULT)
    assert interval(strata["oral"]) == ("masked", None, 0, 5)
    assert interval(strata["sc"]) == ("masked", None, 1, 10)
    assert interval(strata["iv"]) == ("exact", 70, 70, 70)


def test_complementary_bound_is_whole_total_when_strata_overlap() -> None:
    total = total_bounds(Cell(100), DEFAULT)
    route = {"iv": Cell(70), "im": Cell(25), "oral": COMPLEMENTARY}
    strata = strata_bounds(route, total=total, overlap=True, policy=DEFAULT)
    assert interval(strata["oral"]) == ("masked", None, 0, 100)


def test_complementary_bound_uses_small_cell_bound_of_total_when_total_masked() -> None:
    total = total_bounds(SMALL, DEFAULT)
    route = {"iv": SMALL, "sc": COMPLEMENTARY}
    strata = strata_bounds(route, total=total, overlap=False, policy=DEFAULT)
    assert interval(strata["sc"]) == ("masked", None, 0, 10)


def test_complementary_bound_widens_by_rounding_when_shown_counts_rounded() -> None:
    policy = DisclosurePolicy(rounding=10)
    total = total_bounds(Cell(100, ("rounded",)), policy)
    route = {"iv": Cell(70, ("rounded",)), "sc": SMALL, "oral": COMPLEMENTARY}
    strata = strata_bounds(route, total=total, overlap=False, policy=policy)
    # true total <= 105, true iv >= 65: oral <= 40 (the exact-count formula would say 30).
    assert interval(strata["oral"]) == ("masked", None, 0, 40)
    assert interval(strata["sc"]) == ("masked", None, 1, 10)  # masking comes before rounding


@pytest.mark.parametrize(
    ("base", "shown", "expected"),
    [(10, 120, (115, 125)), (10, 0, (0, 5)), (5, 15, (13, 17)), (3, 3, (2, 4))],
)
def test_rounded_bound_is_half_base_either_side_when_count_rounded(
    base: int, shown: int, expected: tuple[int, int]
) -> None:
    bound = total_bounds(Cell(shown, ("rounded",)), DisclosurePolicy(rounding=base))
    assert interval(bound) == ("rounded", shown, *expected)


def test_noised_bound_is_rounded_outward_and_floored_when_count_noised() -> None:
    policy = DisclosurePolicy(epsilon=1.0)
    assert interval(total_bounds(Cell(40, ("noised",)), policy, 4.2)) == ("noised", 40, 35, 45)
    assert interval(total_bounds(Cell(-2, ("noised",)), policy, 3.5)) == ("noised", -2, 0, 2)
    assert interval(total_bounds(SMALL, policy, 4.2)) == ("masked", None, 0, 15)


def test_noised_and_rounded_bound_adds_both_half_widths_when_cell_has_both_reasons() -> None:
    policy = DisclosurePolicy(rounding=10, epsilon=1.0)
    bound = total_bounds(Cell(50, ("noised", "rounded")), policy, 2.5)
    assert interval(bound) == ("noised", 50, 42, 58)


def test_sum_bounds_is_exact_only_when_every_part_is_exact() -> None:
    exact = sum_bounds([exact_count(3), exact_count(4)])
    assert interval(exact) == ("exact", 7, 7, 7)
    masked = Bounded("masked", None, 1, 10).labelled("NO")
    mixed = sum_bounds([exact_count(3).labelled("DE"), masked])
    assert interval(mixed) == ("bounded", None, 4, 13)
    assert mixed.inexact == (("NO", "masked"),)


def answer(population: PopulationResult, **kwargs: Any) -> MeasureAnswer:
    return MeasureAnswer("m", "1", date(2024, 1, 1), date(2024, 12, 31), [population], **kwargs)


@pytest.mark.parametrize(
    ("population", "fragment"),
    [
        (PopulationResult("p", Cell(-1)), "negative"),
        (PopulationResult("p", COMPLEMENTARY), "small-cell"),
        (PopulationResult("p", Cell(5, ("noised",))), "noise scale"),
        (PopulationResult("p", Cell(5, ("rounded",))), "rounding base"),
    ],
)
def test_disclosure_problem_names_reason_when_labels_cannot_be_bounded(
    population: PopulationResult, fragment: str
) -> None:
    problem = disclosure_problem(answer(population))
    assert problem is not None and fragment in problem


def test_disclosure_problem_is_none_when_labels_are_consistent() -> None:
    population = PopulationResult("p", Cell(50, ("noised",)), {"s": {"a": SMALL}})
    assert disclosure_problem(answer(population, noise_scale={"p": 2.0})) is None


CELL_KEY = DisclosurePolicy(perturbation="cell-key", ckm_max=3)


def test_perturbed_count_is_bounded_by_the_perturbation_and_floored_at_zero() -> None:
    assert interval(total_bounds(Cell(40, ("perturbed",)), CELL_KEY)) == ("perturbed", 40, 37, 43)
    assert interval(total_bounds(Cell(0, ("perturbed",)), CELL_KEY)) == ("perturbed", 0, 0, 3)
    rounded = DisclosurePolicy(perturbation="cell-key", ckm_max=3, rounding=5)
    assert interval(total_bounds(Cell(40, ("perturbed", "rounded")), rounded))[2:] == (35, 45)


def test_small_cell_masked_after_perturbation_widens_by_the_perturbation_bound() -> None:
    assert interval(total_bounds(Cell(None, ("perturbed", "small-cell")), CELL_KEY))[2:] == (1, 13)
    masked_zero = DisclosurePolicy(perturbation="cell-key", ckm_max=3, mask_zero=True)
    assert interval(total_bounds(SMALL, masked_zero))[2:] == (0, 13)


def test_nested_total_masked_as_complement_is_bounded_by_its_parent() -> None:
    parent = total_bounds(Cell(32, ("perturbed",)), CELL_KEY)
    child = total_bounds(Cell(None, ("perturbed", "complementary")), CELL_KEY, parent=parent)
    assert interval(child) == ("masked", None, 0, 35)
    with pytest.raises(ValueError, match="parent"):
        total_bounds(COMPLEMENTARY, CELL_KEY)


def test_sums_of_perturbed_parts_keep_an_estimate_and_masked_parts_do_not() -> None:
    parts = [total_bounds(Cell(40, ("perturbed",)), CELL_KEY), exact_count(10)]
    assert interval(sum_bounds(parts)) == ("perturbed", 50, 47, 53)
    assert sum_bounds(parts).estimate == 50
    masked = total_bounds(Cell(None, ("perturbed", "small-cell")), CELL_KEY)
    assert interval(sum_bounds([*parts, masked])) == ("bounded", None, 48, 66)


def test_perturbed_labels_need_a_perturbation_bound_and_nested_totals_a_parent() -> None:
    def answer(policy: DisclosurePolicy, *populations: PopulationResult) -> MeasureAnswer:
        return MeasureAnswer(
            "discontinuations", "1", date(2024, 1, 1), date(2024, 12, 31), list(populations), policy
        )

    treated = PopulationResult("treated-patients", Cell(32, ("perturbed",)))
    stopped = PopulationResult("discontinued", Cell(None, ("perturbed", "complementary")))
    parents = {"discontinued": "treated-patients"}
    assert disclosure_problem(answer(CELL_KEY, treated, stopped), parents) is None
    assert "small-cell" in (disclosure_problem(answer(CELL_KEY, treated, stopped)) or "")
    assert "perturbation bound" in (disclosure_problem(answer(DEFAULT, treated)) or "")

"""The exact discrete Laplace sampler, its 95% interval, and noise in the disclosure chain."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from app.disclosure import apply_disclosure, noise_half_width, sample_discrete_laplace
from app.disclosure.noise import bernoulli_exp_minus, noise_scale_for
from app.exchange.answer import Cell, DisclosurePolicy, PopulationResult

pytestmark = pytest.mark.disclosure


def test_bernoulli_exp_minus_has_probability_exp_minus_gamma() -> None:
    rng = random.Random(1)
    for gamma in (Fraction(1, 3), Fraction(3, 2)):
        hits = sum(bernoulli_exp_minus(gamma, rng) for _ in range(20_000))
        assert abs(hits / 20_000 - math.exp(-gamma)) < 0.012


def test_sample_discrete_laplace_matches_the_two_sided_geometric_law() -> None:
    rng = random.Random(7)
    scale = Fraction(5, 2)
    draws = [sample_discrete_laplace(scale, rng) for _ in range(20_000)]
    q = math.exp(-1 / 2.5)
    mean = sum(draws) / len(draws)
    variance = sum(d * d for d in draws) / len(draws)
    assert abs(mean) < 0.1
    assert abs(variance / (2 * q / (1 - q) ** 2) - 1) < 0.06
    assert abs(draws.count(0) / len(draws) - (1 - q) / (1 + q)) < 0.012
    assert all(isinstance(d, int) for d in draws)


@pytest.mark.parametrize("scale", [Fraction(1, 2), Fraction(1), Fraction(73, 10), Fraction(400)])
def test_noise_half_width_is_the_smallest_95_percent_bound(scale: Fraction) -> None:
    q = math.exp(-1 / float(scale))

    def covered(k: int) -> float:  # P(|X| <= k)
        return 1 - 2 * q ** (k + 1) / (1 + q)

    k = noise_half_width(scale)
    assert covered(k) >= 0.95
    assert k == 0 or covered(k - 1) < 0.95


def test_noise_scale_splits_epsilon_by_sensitivity() -> None:
    sensitivities = {("a", None): 1, ("a", "drug"): 1, ("b", None): 100, ("b", "drug"): 100}
    # Σ Δ = 202 for ε = 0.5: every cell gets scale 404; release i costs Δᵢ/404, in all 0.5.
    assert noise_scale_for(0.5, sensitivities) == Fraction(404)


def test_apply_disclosure_noises_every_cell_then_masks_on_noisy_values() -> None:
    exact = [
        PopulationResult(
            "p", Cell(500), {"drug": {"a": Cell(300), "b": Cell(195), "c": Cell(5), "d": Cell(0)}}
        )
    ]
    sensitivities = {("p", None): 1, ("p", "drug"): 1}
    policy = DisclosurePolicy(min_cell=11, epsilon=1.0)
    disclosed, scale = apply_disclosure(
        exact, policy=policy, sensitivities=sensitivities, rng=random.Random(3)
    )
    assert scale == {"p": float(noise_half_width(Fraction(2)))}
    result = disclosed[0]
    cells = [result.total, *result.strata["drug"].values()]
    assert all("noised" in cell.reasons for cell in cells)
    assert all(cell.count is None or not 0 < cell.count < 11 for cell in cells)
    assert abs((result.total.count or 0) - 500) <= 30  # scale 2: far inside any sane bound


def test_apply_disclosure_refuses_noise_without_sensitivities() -> None:
    with pytest.raises(ValueError, match="sensitivity"):
        apply_disclosure([PopulationResult("p", Cell(3))], policy=DisclosurePolicy(epsilon=1.0))

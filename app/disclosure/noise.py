"""Discrete Laplace noise for ε-differential privacy per patient (``docs/disclosure.md``).

Why this mechanism: counts are integers, and floating-point Laplace on raw counts leaks through
the gaps of the float grid (Mironov 2012). The discrete Laplace (two-sided geometric) mechanism
adds integer noise with ``P(x) ∝ exp(−|x|/scale)`` and is ε-DP for a query of L1 sensitivity Δ when
``scale = Δ/ε``. It is sampled *exactly* with the algorithm of Canonne, Kamath and Steinke, "The
Discrete Gaussian for Differential Privacy" (NeurIPS 2020), Algorithms 1 and 2: only integer and
rational arithmetic and uniform integers, so no float rounding ever shapes the output. (OpenDP
implements the same sampler; it is not a dependency of the project, and this one is ~40 lines.)
The uniform integers come from ``random.SystemRandom`` (the OS CSPRNG) unless a seeded RNG is
injected for tests.

Budget split: every release (a population's total, or one of its stratifier tables) has an L1
sensitivity Δᵢ (see ``app.measures.releases``). Each cell gets the same scale ``t = ΣΔᵢ/ε``, so
release i costs εᵢ = Δᵢ/t and the answer costs Σεᵢ = ε by sequential composition; a table's disjoint
strata are covered by its Δᵢ at once (parallel composition), overlapping ones by a larger Δᵢ.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from fractions import Fraction

from app.disclosure.cells import Populations, map_cells
from app.exchange.answer import Cell

Release = tuple[str, str | None]
INTERVAL_COVERAGE = 0.95


def bernoulli_exp_minus(gamma: Fraction, rng: random.Random) -> bool:
    """Return True with probability ``exp(−gamma)`` for rational ``gamma ≥ 0`` (CKS 2020, Alg. 1)."""
    while gamma > 1:
        if not _bernoulli_exp_minus_at_most_one(Fraction(1), rng):
            return False
        gamma -= 1
    return _bernoulli_exp_minus_at_most_one(gamma, rng)


def _bernoulli_exp_minus_at_most_one(gamma: Fraction, rng: random.Random) -> bool:
    k = 1
    # Bernoulli(gamma / k) as an exact comparison of a uniform integer with the numerator.
    while rng.randrange(gamma.denominator * k) < gamma.numerator:
        k += 1
    return k % 2 == 1


def sample_discrete_laplace(scale: Fraction, rng: random.Random) -> int:
    """Return one draw with ``P(x) ∝ exp(−|x|/scale)`` (CKS 2020, Alg. 2); scale > 0."""
    t, s = scale.numerator, scale.denominator
    while True:
        u = rng.randrange(t)
        if not bernoulli_exp_minus(Fraction(u, t), rng):
            continue
        v = 0
        while bernoulli_exp_minus(Fraction(1), rng):
            v += 1
        y = (u + t * v) // s
        negative = rng.randrange(2) == 1
        if negative and y == 0:
            continue
        return -y if negative else y


def noise_half_width(scale: Fraction) -> int:
    """Return the smallest k with ``P(|X| ≤ k) ≥ 0.95`` for discrete Laplace noise of ``scale``."""
    q = math.exp(-1 / float(scale))

    def tail_above(k: int) -> float:  # P(|X| > k) = 2 q^(k+1) / (1 + q)
        return 2 * q ** (k + 1) / (1 + q)

    k = max(0, math.ceil(math.log((1 - INTERVAL_COVERAGE) * (1 + q) / 2) / math.log(q)) - 1)
    while k > 0 and tail_above(k - 1) <= 1 - INTERVAL_COVERAGE:
        k -= 1
    while tail_above(k) > 1 - INTERVAL_COVERAGE:
        k += 1
    return k


def noise_scale_for(epsilon: float, sensitivities: Mapping[Release, int]) -> Fraction:
    """Return the per-cell scale ``ΣΔᵢ/ε`` that makes the whole answer ε-DP."""
    # The decimal form of ε as configured (0.1 → 1/10), not its binary float expansion.
    return Fraction(sum(sensitivities.values())) / Fraction(repr(epsilon))


def check_sensitivities(populations: Populations, sensitivities: Mapping[Release, int]) -> None:
    """Refuse noise for an answer holding a release without a sensitivity; raises ``ValueError``."""
    missing = {
        (r.population, key)
        for r in populations
        for key in (None, *r.strata)
        if (r.population, key) not in sensitivities
    }
    if missing:
        raise ValueError(f"no sensitivity for releases {sorted(missing, key=str)}")


def add_noise(
    populations: Populations,
    *,
    epsilon: float,
    sensitivities: Mapping[Release, int],
    rng: random.Random,
) -> tuple[Populations, dict[str, float]]:
    """Return noised populations (negative draws clamped to 0) and the 95% half-width of each."""
    check_sensitivities(populations, sensitivities)
    scale = noise_scale_for(epsilon, sensitivities)

    def rule(_population: str, _stratifier: str | None, cell: Cell) -> Cell:
        if cell.count is None:
            return cell
        # Clamping is post-processing of a DP value, so it costs no privacy.
        noisy = max(0, cell.count + sample_discrete_laplace(scale, rng))
        return cell.with_reason("noised", count=noisy)

    half_width = float(noise_half_width(scale))
    return map_cells(populations, rule), {r.population: half_width for r in populations}

"""Confidence intervals for the hub's pooled counts: Wilson proportions and exact Poisson rates.

Pure maths on plain numbers, no I/O. Invalid arguments (a zero or negative denominator, a numerator
outside ``0..n``, a confidence outside ``(0, 1)``) raise ``ValueError``: callers decide beforehand
what to publish for an empty or inconsistent cell, and never pass one here.
"""

from __future__ import annotations

import math

from scipy import stats as scipy_stats


def _check_confidence(confidence: float) -> float:
    """Return the two-sided tail probability alpha for ``confidence``; raises ``ValueError``."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    return 1.0 - confidence


def normal_quantile(confidence: float) -> float:
    """Return the two-sided standard normal critical value for ``confidence`` (1.959… for 95%)."""
    alpha = _check_confidence(confidence)
    return float(scipy_stats.norm.isf(alpha / 2.0))


def wilson_interval(successes: int, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Return the Wilson score interval of ``successes / n``; raises ``ValueError`` when n <= 0.

    An empty denominator has no proportion, so ``n = 0`` is refused rather than answered with NaNs.
    """
    if n <= 0:
        raise ValueError(f"the denominator of a proportion must be positive, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie in 0..{n}, got {successes}")
    z = normal_quantile(confidence)
    z2 = z * z
    p = successes / n
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half_width = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom
    # The formula meets 0 and 1 exactly at the extremes; clip the rounding error away.
    low = 0.0 if successes == 0 else min(1.0, max(0.0, centre - half_width))
    high = 1.0 if successes == n else min(1.0, max(0.0, centre + half_width))
    return low, high


def poisson_exact_interval(count: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Return the exact (Garwood) interval of a Poisson mean given ``count``; raises ``ValueError``.

    Lower ``chi2(α/2; 2k) / 2`` (0 when ``count`` is 0), upper ``chi2(1 − α/2; 2k + 2) / 2``.
    """
    if count < 0:
        raise ValueError(f"a Poisson count cannot be negative, got {count}")
    alpha = _check_confidence(confidence)
    low = 0.0 if count == 0 else float(scipy_stats.chi2.ppf(alpha / 2.0, 2 * count)) / 2.0
    high = float(scipy_stats.chi2.ppf(1.0 - alpha / 2.0, 2 * count + 2)) / 2.0
    return low, high


def rate_with_interval(
    events: int, exposure: int | float, per: float, *, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Return ``(rate, low, high)`` of ``events`` per ``per`` units of exposure (Garwood interval).

    The exposure (administrations, treated patients) is taken as known; raises ``ValueError`` when
    it is not positive.
    """
    if exposure <= 0:
        raise ValueError(f"exposure must be positive, got {exposure}")
    low, high = poisson_exact_interval(events, confidence=confidence)
    scale = per / exposure
    return events * scale, low * scale, high * scale

"""DerSimonian–Laird random-effects meta-analysis of proportions on the logit scale.

Each study (country) gives ``events`` out of ``n``. A study with 0 or all events gets 0.5 added to
its events and to its non-events (so ``n`` grows by 1) — only that study, as ``docs/statistics.md``
says. The logit's variance is ``1/e + 1/(n − e)`` on the corrected values. τ² is the one-step
method-of-moments estimate truncated at 0, and I² = (Q − df)/Q truncated at 0: statsmodels'
``combine_effects(method_re="dl")`` gives the same numbers whenever τ² > 0 (it does not truncate).
A single study has no heterogeneity to estimate: τ² = 0, I² = 0, Q = 0 and the pooled estimate is
the study's own. Invalid studies raise ``ValueError``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from app.hub.stats import normal_quantile


@dataclass(frozen=True)
class StudyEstimate:
    """One study's proportion with its logit-scale interval, as drawn in a forest plot."""

    events: int
    n: int
    logit: float
    variance: float
    estimate: float
    ci_low: float
    ci_high: float
    weight: float
    """Relative random-effects weight (the weights sum to 1)."""
    corrected: bool
    """True when the 0.5 continuity correction was applied."""


@dataclass(frozen=True)
class MetaAnalysis:
    """A pooled random-effects proportion with its heterogeneity statistics."""

    estimate: float
    ci_low: float
    ci_high: float
    logit: float
    logit_se: float
    tau2: float
    i2: float
    q: float
    studies: tuple[StudyEstimate, ...]


def expit(x: float) -> float:
    """Return the inverse logit of ``x`` without overflow."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    ex = math.exp(x)
    return ex / (1.0 + ex)


def logit_with_variance(events: int, n: int) -> tuple[float, float, bool]:
    """Return ``(logit, variance, corrected)`` of ``events / n``; raises ``ValueError``."""
    if n <= 0:
        raise ValueError(f"a study needs a positive denominator, got {n}")
    if not 0 <= events <= n:
        raise ValueError(f"events must lie in 0..{n}, got {events}")
    corrected = events in (0, n)
    e = events + 0.5 if corrected else float(events)
    non_events = (n - events) + 0.5 if corrected else float(n - events)
    return math.log(e / non_events), 1.0 / e + 1.0 / non_events, corrected


def dersimonian_laird(
    studies: Sequence[tuple[int, int]], *, confidence: float = 0.95
) -> MetaAnalysis:
    """Return the DerSimonian–Laird pooled proportion of ``(events, n)`` studies.

    Raises ``ValueError`` when there is no study or a study is invalid.
    """
    if not studies:
        raise ValueError("a meta-analysis needs at least one study")
    z = normal_quantile(confidence)
    logits, variances, corrections = zip(
        *(logit_with_variance(e, n) for e, n in studies), strict=True
    )
    weights_fe = [1.0 / v for v in variances]
    total_fe = sum(weights_fe)
    mean_fe = sum(w * y for w, y in zip(weights_fe, logits, strict=True)) / total_fe
    q = sum(w * (y - mean_fe) ** 2 for w, y in zip(weights_fe, logits, strict=True))
    df = len(studies) - 1
    if df == 0:
        q, tau2, i2 = 0.0, 0.0, 0.0
    else:
        c = total_fe - sum(w * w for w in weights_fe) / total_fe
        tau2 = max(0.0, (q - df) / c)
        i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    weights_re = [1.0 / (v + tau2) for v in variances]
    total_re = sum(weights_re)
    mean_re = sum(w * y for w, y in zip(weights_re, logits, strict=True)) / total_re
    se_re = math.sqrt(1.0 / total_re)
    per_study = tuple(
        StudyEstimate(
            events=events,
            n=n,
            logit=y,
            variance=v,
            estimate=expit(y),
            ci_low=expit(y - z * math.sqrt(v)),
            ci_high=expit(y + z * math.sqrt(v)),
            weight=w / total_re,
            corrected=corrected,
        )
        for (events, n), y, v, w, corrected in zip(
            studies, logits, variances, weights_re, corrections, strict=True
        )
    )
    return MetaAnalysis(
        estimate=expit(mean_re),
        ci_low=expit(mean_re - z * se_re),
        ci_high=expit(mean_re + z * se_re),
        logit=mean_re,
        logit_se=se_re,
        tau2=tau2,
        i2=i2,
        q=q,
        studies=per_study,
    )

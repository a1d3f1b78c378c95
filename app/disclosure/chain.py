"""The disclosure chain: which steps an answer goes through, in which order (docs/disclosure.md).

Without noise: small-cell masking → complementary suppression → rounding (when on). With noise:
noise on the exact counts → masking on the *noisy* values (deciding on exact values would leak) →
complementary suppression → rounding (when on). Each step is a plain function of populations, so
the chain is a list, like privacy wrappers around an aggregation (``Rounded(Suppressed(Exact))``).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping
from dataclasses import replace

from app.disclosure.cells import Populations, Step, run_steps
from app.disclosure.masking import mask_small_cells, suppress_complementary
from app.disclosure.noise import Release, add_noise
from app.disclosure.rounding import round_counts
from app.exchange.answer import DisclosurePolicy


def effective_policy(node_policy: DisclosurePolicy, query_min_cell: int | None) -> DisclosurePolicy:
    """Return the node's policy, with the query's ``min-cell`` when stricter (never looser)."""
    return replace(node_policy, min_cell=max(node_policy.min_cell, query_min_cell or 0))


def disclosure_steps(policy: DisclosurePolicy) -> list[Step]:
    """Return the steps after noise for ``policy``: masking, complementary suppression, rounding."""
    steps: list[Step] = [
        functools.partial(mask_small_cells, min_cell=policy.min_cell, mask_zero=policy.mask_zero),
        suppress_complementary,
    ]
    if policy.rounding > 0:
        steps.append(functools.partial(round_counts, base=policy.rounding))
    return steps


def apply_disclosure(
    populations: Populations,
    *,
    policy: DisclosurePolicy,
    sensitivities: Mapping[Release, int] | None = None,
    rng: random.Random | None = None,
) -> tuple[Populations, dict[str, float]]:
    """Return disclosed populations and per-population 95% noise half-widths (empty without noise).

    ``policy`` is the effective one (see ``effective_policy``). With ``policy.epsilon > 0`` the
    counts must come with the L1 ``sensitivities`` of every release; raises ``ValueError`` without.
    """
    noise_scale: dict[str, float] = {}
    if policy.epsilon > 0:
        if sensitivities is None:
            raise ValueError("noise needs the sensitivity of every release")
        populations, noise_scale = add_noise(
            populations,
            epsilon=policy.epsilon,
            sensitivities=sensitivities,
            rng=rng or random.SystemRandom(),
        )
    return run_steps(populations, disclosure_steps(policy)), noise_scale

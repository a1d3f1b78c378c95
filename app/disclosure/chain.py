"""The disclosure chain: which steps an answer goes through, in which order (docs/disclosure.md).

First what changes the counts: keyed noise when ``epsilon > 0``, else cell-key perturbation when
the policy has it, else nothing (exact counts). Then, on the values so changed (deciding on exact
values would leak): small-cell masking → nested-population complements → complementary
suppression → rounding (when on). Each step is a plain function of populations, so the chain is a
list, like privacy wrappers around an aggregation (``Rounded(Suppressed(Perturbed(Exact)))``).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping, Sequence
from dataclasses import replace

from app.disclosure.cells import Populations, Step, run_steps
from app.disclosure.keyed_noise import add_keyed_noise
from app.disclosure.masking import mask_small_cells, suppress_complementary
from app.disclosure.membership import Memberships
from app.disclosure.nesting import Nesting, mask_nested_complements
from app.disclosure.noise import Release, add_noise
from app.disclosure.perturbation import PerturbationTable, perturb_cells
from app.disclosure.rounding import round_counts
from app.exchange.answer import DisclosurePolicy


def effective_policy(node_policy: DisclosurePolicy, query_min_cell: int | None) -> DisclosurePolicy:
    """Return the node's policy, with the query's ``min-cell`` when stricter (never looser)."""
    return replace(node_policy, min_cell=max(node_policy.min_cell, query_min_cell or 0))


def disclosure_steps(
    policy: DisclosurePolicy,
    *,
    nesting: Sequence[Nesting] = (),
    memberships: Memberships | None = None,
) -> list[Step]:
    """Return the steps after noise or perturbation: masking, nested and complementary, rounding."""
    steps: list[Step] = [
        functools.partial(mask_small_cells, min_cell=policy.min_cell, mask_zero=policy.mask_zero)
    ]
    if nesting:
        steps.append(
            functools.partial(
                mask_nested_complements,
                nesting=nesting,
                min_cell=policy.min_cell,
                mask_zero=policy.mask_zero,
                memberships=memberships,
            )
        )
    steps.append(suppress_complementary)
    if policy.rounding > 0:
        steps.append(functools.partial(round_counts, base=policy.rounding))
    return steps


def apply_disclosure(
    populations: Populations,
    *,
    policy: DisclosurePolicy,
    sensitivities: Mapping[Release, int] | None = None,
    rng: random.Random | None = None,
    table: PerturbationTable | None = None,
    memberships: Memberships | None = None,
    nesting: Sequence[Nesting] = (),
    noise_secret: bytes | None = None,
) -> tuple[Populations, dict[str, float]]:
    """Return disclosed populations and per-population 95% noise half-widths (empty without noise).

    ``policy`` is the effective one (see ``effective_policy``). With ``policy.epsilon > 0`` the
    counts must come with the L1 ``sensitivities`` of every release; raises ``ValueError`` without.
    Noise is keyed by the cells' members when ``noise_secret`` and ``memberships`` are given (the
    node), else drawn from ``rng``. Without noise, ``table`` perturbs every count by its cell key
    (``memberships`` required). ``nesting`` (closed) masks small complements of nested populations.
    """
    noise_scale: dict[str, float] = {}
    if policy.epsilon > 0:
        if sensitivities is None:
            raise ValueError("noise needs the sensitivity of every release")
        if noise_secret is not None and memberships is not None:
            populations, noise_scale = add_keyed_noise(
                populations,
                epsilon=policy.epsilon,
                sensitivities=sensitivities,
                memberships=memberships,
                secret=noise_secret,
            )
        else:
            populations, noise_scale = add_noise(
                populations,
                epsilon=policy.epsilon,
                sensitivities=sensitivities,
                rng=rng or random.SystemRandom(),
            )
    elif table is not None:
        if memberships is None:
            raise ValueError("cell-key perturbation needs the memberships of the cells")
        populations = perturb_cells(populations, memberships=memberships, table=table)
    steps = disclosure_steps(policy, nesting=nesting, memberships=memberships)
    return run_steps(populations, steps), noise_scale

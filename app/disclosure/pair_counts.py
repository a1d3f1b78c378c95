"""Disclosure control of a pair count of the cross-border overlap (``docs/overlap.md``).

The first node of a pair publishes the size of the intersection as one table of one cell (a
group total without strata): small-cell suppression with its ``min_cell`` (zero too with
``mask_zero``), then rounding when its policy rounds — the steps of every other answer, so the
hub bounds it like any total. Nobody knows who is in an intersection, so nothing keyed by record
(cell-key perturbation, keyed noise) can apply to it; a policy with noise (``epsilon > 0``) does
not release pair counts (``pair_count_refusal``).
"""

from __future__ import annotations

from app.disclosure.cells import run_steps
from app.disclosure.chain import disclosure_steps
from app.exchange.answer import Cell, DisclosurePolicy, PopulationResult


def disclose_pair_count(count: int, *, policy: DisclosurePolicy) -> Cell:
    """Return the published cell of an intersection of ``count`` patients under ``policy``."""
    if count < 0:
        raise ValueError("an intersection cannot be negative")
    [result] = run_steps([PopulationResult("overlap", total=Cell(count))], disclosure_steps(policy))
    return result.total


def pair_count_refusal(policy: DisclosurePolicy) -> str | None:
    """Return why ``policy`` releases no pair count, or None when it does."""
    if policy.epsilon > 0:
        return (
            "policy: pair counts are not released under noise (epsilon > 0): an intersection "
            "has no members to key the noise by and no entry in the privacy ledger"
        )
    return None

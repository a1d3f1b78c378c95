"""Disclosure control (``docs/disclosure.md``): what a node may publish of its exact counts.

Pure arithmetic on tables of counts, no database and no configuration: a chain of small steps
(``chain``) of cell-key perturbation (``perturbation``, from the cells' ``membership``) or
keyed discrete-Laplace noise (``keyed_noise``, ``noise``), small-cell masking and complementary
suppression (``masking``), nested-population complements (``nesting``), the near-duplicate test
(``differencing``) and rounding (``rounding``); and their inverse, the intervals that hold the
true counts behind published cells (``bounds``), which the hub pools. The node's answering use
case (``app.node.answers``) runs the chain; the answer cache, the released cells and the ε ledger
are tables of the store. What the policies withstand: ``docs/privacy.md``.
"""

from app.disclosure.bounds import Bounded, disclosure_problem, strata_bounds, sum_bounds
from app.disclosure.chain import apply_disclosure, disclosure_steps, effective_policy
from app.disclosure.masking import mask_small_cells, suppress_complementary
from app.disclosure.noise import add_noise, noise_half_width, sample_discrete_laplace
from app.disclosure.rounding import round_counts

__all__ = [
    "Bounded",
    "add_noise",
    "apply_disclosure",
    "disclosure_problem",
    "disclosure_steps",
    "effective_policy",
    "mask_small_cells",
    "noise_half_width",
    "round_counts",
    "sample_discrete_laplace",
    "strata_bounds",
    "sum_bounds",
    "suppress_complementary",
]

"""Disclosure control (DESIGN.md section 7): what a node may publish of its exact counts.

A chain of small steps over tables (``chain``): discrete-Laplace noise (``noise``), small-cell
masking and complementary suppression (``masking``), rounding (``rounding``); a persistent answer
cache and per-requester ε ledger in the node database (``cache``, ``ledger``, ``tables``); and
``answer_query``, which runs a whole query through measures and disclosure for the node route.
"""

from app.disclosure.chain import apply_disclosure, disclosure_steps, effective_policy
from app.disclosure.ledger import charge_epsilon, spent_epsilon
from app.disclosure.masking import mask_small_cells, suppress_complementary
from app.disclosure.noise import add_noise, noise_half_width, sample_discrete_laplace
from app.disclosure.rounding import round_counts
from app.disclosure.service import answer_query
from app.disclosure.tables import create_disclosure_tables

__all__ = [
    "add_noise",
    "answer_query",
    "apply_disclosure",
    "charge_epsilon",
    "create_disclosure_tables",
    "disclosure_steps",
    "effective_policy",
    "mask_small_cells",
    "noise_half_width",
    "round_counts",
    "sample_discrete_laplace",
    "spent_epsilon",
    "suppress_complementary",
]

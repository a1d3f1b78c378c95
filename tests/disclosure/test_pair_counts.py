"""A pair count under the first node's policy: the steps of any published total."""

from __future__ import annotations

from app.disclosure.pair_counts import disclose_pair_count, pair_count_refusal
from app.exchange.answer import Cell, DisclosurePolicy


def test_small_pair_counts_are_masked_and_zero_is_shown() -> None:
    policy = DisclosurePolicy(min_cell=11)
    assert disclose_pair_count(4, policy=policy) == Cell(None, ("small-cell",))
    assert disclose_pair_count(0, policy=policy) == Cell(0)
    assert disclose_pair_count(11, policy=policy) == Cell(11)
    assert disclose_pair_count(0, policy=DisclosurePolicy(mask_zero=True)).masked


def test_pair_counts_are_rounded_when_the_policy_rounds() -> None:
    assert disclose_pair_count(23, policy=DisclosurePolicy(rounding=5)) == Cell(25, ("rounded",))


def test_noise_policies_release_no_pair_count() -> None:
    assert pair_count_refusal(DisclosurePolicy()) is None
    assert "epsilon" in (pair_count_refusal(DisclosurePolicy(epsilon=1.0)) or "")

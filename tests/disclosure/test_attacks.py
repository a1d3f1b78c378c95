"""Attacks on the policies without cell keys: rounding and unkeyed noise (docs/disclosure.md).

These are the policies of release 0.1.0, still available (``perturbation = "none"``, value lists
and no near-duplicate refusal); the attack suite against every policy is ``test_redteam``.

The rare drug (arketamine) has x patients, 1 ≤ x ≤ 10: its stratum is masked. Under rounding we
show that for every x another x' produces *identical* published answers to the whole attack, so
the attacker cannot tell x from x' (the value is not recovered beyond the base). Under noise the
cache makes repeated answers identical and the ledger caps how many different answers there are.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from app.config import DisclosureSection
from app.disclosure import apply_disclosure, effective_policy
from app.errors import BudgetExhausted
from app.exchange.answer import MeasureAnswer
from app.exchange.query import MeasureQuery
from app.measures import evaluate_measure, release_sensitivities, validate_query
from app.node.answers import answer_query, node_policy
from app.store.privacy_ledger import spent_epsilon
from tests.disclosure.support import decoded, sqlite_node

pytestmark = pytest.mark.disclosure

ALL = MeasureQuery("treated-patients", None, date(2024, 1, 1), date(2024, 12, 31), {}, (), {})
COMMON = replace(ALL, filters={"drug": ("ketamine", "esketamine")})  # overlaps ALL but the rare
DRILLING = [
    ALL,
    COMMON,
    replace(ALL, stratify=("drug",)),
    replace(ALL, stratify=("route", "sex")),
    replace(COMMON, stratify=("route", "drug")),
    replace(ALL, filters={"sex": ("female",)}, stratify=("drug",)),
    replace(ALL, filters={"route": ("oral", "iv")}, stratify=("drug",)),
    replace(ALL, filters={"drug": ("arketamine",)}, stratify=("sex",)),
]
LEGACY = {"perturbation": "none", "refuse_near_duplicates": False, "value_lists": True}
ROUNDED = DisclosureSection(min_cell=11, rounding=5, **LEGACY)
# Drilling into strata also needs zeros masked: a zero stratum shown (or omitted) next to a masked
# small one tells 0 from 1..10 (see the residual-risk test below).
ROUNDED_MASK_ZERO = DisclosureSection(min_cell=11, rounding=5, mask_zero=True, **LEGACY)


def published(answer: MeasureAnswer) -> tuple[object, ...]:
    """Return everything an answer publishes: counts and labels of every cell."""
    return tuple(
        (r.population, key, value, cell.count, cell.reasons)
        for r in answer.populations
        for key, value, cell in [(None, None, r.total)]
        + [(k, v, c) for k, table in r.strata.items() for v, c in table.items()]
    )


def indistinguishable_classes(
    tmp_path: Path, queries: list[MeasureQuery], settings: DisclosureSection = ROUNDED
) -> list[list[int]]:
    """Return the rare counts x = 1..10 grouped by identical published answers to ``queries``."""
    seen: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for rare in range(1, 11):
        engine = sqlite_node(tmp_path, name=f"rare{rare}", rare=rare)
        observation = tuple(
            published(
                decoded(
                    answer_query(
                        engine, q, requester_kid="attacker", settings=settings, data_version="v"
                    )
                )
            )
            for q in queries
        )
        seen[observation].append(rare)
        engine.dispose()
    return list(seen.values())


def test_differencing_pair_with_overlapping_filters_does_not_reveal_masked_count_when_rounded(
    tmp_path: Path,
) -> None:
    classes = indistinguishable_classes(tmp_path, [ALL, COMMON])
    # Total 40 + x rounded to 5, minus 40: x is known only up to its rounding class.
    assert all(len(group) >= 2 for group in classes), classes


def test_stratifier_drilling_does_not_reveal_masked_count_when_rounded(tmp_path: Path) -> None:
    classes = indistinguishable_classes(tmp_path, DRILLING, ROUNDED_MASK_ZERO)
    assert all(len(group) >= 2 for group in classes), classes


def test_stratifier_drilling_without_mask_zero_tells_zero_from_small_stratum(
    tmp_path: Path,
) -> None:
    # Residual risk of rounding alone: with x = 1 the rare drug's female stratum is 0 (omitted),
    # with x = 2 it is 1 (masked), so the two answers differ. Nodes enable mask_zero with rounding.
    classes = indistinguishable_classes(tmp_path, DRILLING[-1:])
    assert [1] in classes


def test_differencing_pair_without_rounding_or_noise_is_the_stated_residual_risk(
    tmp_path: Path,
) -> None:
    # docs/disclosure.md states this honestly: exact counts alone do not stop differencing.
    engine = sqlite_node(tmp_path, rare=3)
    exact = DisclosureSection(min_cell=11, **LEGACY)
    total = decoded(answer_query(engine, ALL, requester_kid="a", settings=exact, data_version="v"))
    common = decoded(
        answer_query(engine, COMMON, requester_kid="a", settings=exact, data_version="v")
    )
    assert (total.populations[0].total.count or 0) - (common.populations[0].total.count or 0) == 3


def test_averaging_100_repeated_noisy_answers_reveals_nothing_new(tmp_path: Path) -> None:
    engine = sqlite_node(tmp_path, rare=3)
    noisy = DisclosureSection(min_cell=1, epsilon=0.5, epsilon_budget=5.0, **LEGACY)
    query = replace(ALL, stratify=("drug",))
    answers = [
        answer_query(engine, query, requester_kid="attacker", settings=noisy, data_version="v")
        for _ in range(100)
    ]
    rare = [decoded(a).populations[0].strata["drug"]["arketamine"] for a in answers]
    # One answer, repeated: the average is that one noisy value, bought once.
    assert len({(cell.count, cell.reasons) for cell in rare}) == 1
    assert all(answer == answers[0] for answer in answers)
    with engine.connect() as connection:
        assert spent_epsilon(connection, "attacker") == 0.5


def test_differencing_under_noise_is_inexact_and_bounded_by_the_ledger(tmp_path: Path) -> None:
    engine = sqlite_node(tmp_path, rare=3)
    noisy = DisclosureSection(min_cell=11, epsilon=1.0, epsilon_budget=3.0, **LEGACY)
    # Fresh noise per trial (no cache): how often does total − common hit x = 3 exactly?
    policy = effective_policy(node_policy(noisy), None)
    exact_hits = 0
    trials = 300
    rng = random.Random(11)
    with engine.connect() as connection:
        pair = [
            (evaluate_measure(connection, q, clip_records_per_patient=100), q)
            for q in (validate_query(ALL), validate_query(COMMON))
        ]
    for _ in range(trials):
        noisy_totals = []
        for exact, q in pair:
            sensitivities = release_sensitivities(validate_query(q), clip_records_per_patient=100)
            disclosed, _ = apply_disclosure(
                exact, policy=policy, sensitivities=sensitivities, rng=rng
            )
            noisy_totals.append(disclosed[0].total.count or 0)
        exact_hits += noisy_totals[0] - noisy_totals[1] == 3
    assert exact_hits / trials < 0.45  # the difference of two draws of scale 1 is 0 only ~28%
    # Through the node, the requester gets at most budget / ε = 3 different answers.
    for period_end in (date(2024, 12, 31), date(2024, 12, 30), date(2024, 12, 29)):
        answer_query(
            engine,
            replace(ALL, period_end=period_end),
            requester_kid="attacker",
            settings=noisy,
            data_version="v",
        )
    with pytest.raises(BudgetExhausted):
        answer_query(engine, COMMON, requester_kid="attacker", settings=noisy, data_version="v")

"""``safety-signals`` on a hand-built registry: the boundary readings of docs/safety-signals.md.

Every test runs on SQLite and on PostgreSQL, whose blood pressure flags come from another form of
the query (one ordered timeline, ``_checked_on_a_timeline``) that must give the same counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.measures.support import (
    BP,
    MARCH,
    STORES,
    Registry,
    evaluate,
    migrated_store,
    query,
    totals,
)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """Yield an empty, migrated store on SQLite or PostgreSQL (a schema of its own)."""
    yield from migrated_store(request, tmp_path)


def _pair(r: Registry, oid: str, patient: str, when: str, sbp: float, dbp: float) -> None:
    r.score(oid + "s", patient, when, sbp, code="SBP")
    r.score(oid + "d", patient, when, dbp, code="DBP")


def _bp(r: Registry) -> dict[str, int | None]:
    counts = totals(evaluate(r.engine, query("safety-signals", *MARCH)))
    return {population: counts[population] for population in BP}


def test_reading_exactly_at_the_dose_instant_is_pre_dose(registry: Registry) -> None:
    r = registry
    r.patient("p1")
    r.administration("a1", "p1", "2024-03-05T10:00:00")
    _pair(r, "o1", "p1", "2024-03-05T10:00:00", 120, 80)
    assert _bp(r) == {BP[0]: 0, BP[1]: 0, BP[2]: 0}  # pre only: not checked
    _pair(r, "o2", "p1", "2024-03-05T10:30:00", 160, 80)
    assert _bp(r) == {BP[0]: 1, BP[1]: 1, BP[2]: 0}  # +40 exactly is a rise


def test_post_dose_window_closes_at_two_hours(registry: Registry) -> None:
    r = registry
    r.patient("p1")
    r.administration("a1", "p1", "2024-03-05T10:00:00")
    r.administration("a2", "p1", "2024-03-12T10:00:00")
    _pair(r, "o1", "p1", "2024-03-05T08:00:00", 120, 80)  # t - 2 h: pre
    _pair(r, "o2", "p1", "2024-03-05T12:00:00", 120, 105)  # t + 2 h: post, DBP +25 rise
    _pair(r, "o3", "p1", "2024-03-12T07:59:59", 120, 80)  # t - 2 h - 1 s: outside
    _pair(r, "o4", "p1", "2024-03-12T10:00:00", 120, 80)
    _pair(r, "o5", "p1", "2024-03-12T12:00:01", 200, 120)  # t + 2 h + 1 s: outside
    assert _bp(r) == {BP[0]: 1, BP[1]: 1, BP[2]: 0}


def test_a_later_dose_cuts_the_post_dose_window(registry: Registry) -> None:
    r = registry
    r.patient("p1")
    r.administration("a1", "p1", "2024-03-05T10:00:00")
    # A dose one hour later, of another drug, outside the drug filter below: it still cuts.
    r.administration("a2", "p1", "2024-03-05T11:00:00", drug="esketamine", route="intranasal")
    _pair(r, "o1", "p1", "2024-03-05T09:50:00", 120, 80)
    # Exactly at a2: a2's pre-dose reading only, not a1's post-dose one.
    _pair(r, "o2", "p1", "2024-03-05T11:00:00", 185, 90)
    filtered = query("safety-signals", *MARCH, filters={"drug": ("ketamine",)})
    assert totals(evaluate(r.engine, filtered))[BP[0]] == 0
    _pair(r, "o3", "p1", "2024-03-05T11:30:00", 130, 90)  # a2's post-dose pair
    counts = evaluate(r.engine, query("safety-signals", *MARCH, stratify=("drug",)))
    # a2: pre = the pair at 11:00 (185/90, the latest in [t − 2 h, t]); post 130/90: no rise.
    assert totals(counts)[BP[0]] == 1
    assert counts[BP[0]][1] == {"drug": {"esketamine": 1}}
    assert totals(counts)[BP[1]] == 0
    _pair(r, "o4", "p1", "2024-03-05T10:59:59", 180, 80)  # a1's post-dose window, 1 s before a2
    counts = evaluate(r.engine, query("safety-signals", *MARCH, stratify=("drug",)))
    # a1: pre 120/80, post 180/80: a rise and severe. a2: pre is now still the pair at 11:00
    # (the latest), its post 130/90 neither. The 185 at 11:00 never counted as a1's post-dose.
    assert {population: totals(counts)[population] for population in BP} == {
        BP[0]: 2,
        BP[1]: 1,
        BP[2]: 1,
    }
    assert counts[BP[2]][1] == {"drug": {"ketamine": 1}}


def test_a_pair_at_a_dose_instant_is_that_doses_pre_whatever_order_ties_come_in(
    registry: Registry,
) -> None:
    # A dose and a pair at one instant are peers in PostgreSQL's timeline: whichever comes first,
    # the pair must be the dose's pre-dose pair (a frame of rows, not of the instant's peers,
    # would miss it when the dose comes first) and never the previous dose's post-dose pair (it
    # would be, when the pair comes first). Both cases in one registry, so either order fails.
    r = registry
    r.patient("p1")
    r.administration("a1", "p1", "2024-03-05T10:00:00")
    r.administration("a2", "p1", "2024-03-05T11:00:00")
    _pair(r, "o1", "p1", "2024-03-05T08:30:00", 120, 80)  # a1's pre; before a2's window
    _pair(r, "o2", "p1", "2024-03-05T11:00:00", 185, 90)  # at a2: a2's pre only
    _pair(r, "o3", "p1", "2024-03-05T11:30:00", 130, 90)  # a2's post
    # a1: no post-dose pair before a2, unchecked. a2: pre 185/90, post 130/90: checked only.
    assert _bp(r) == {BP[0]: 1, BP[1]: 0, BP[2]: 0}


def test_pre_is_the_latest_pair_and_a_lone_reading_is_no_pair(registry: Registry) -> None:
    r = registry
    r.patient("p1")
    r.administration("a1", "p1", "2024-03-05T10:00:00")
    _pair(r, "o1", "p1", "2024-03-05T08:30:00", 100, 60)
    _pair(r, "o2", "p1", "2024-03-05T09:45:00", 130, 80)  # the latest pre pair
    r.score("o3", "p1", "2024-03-05T09:55:00", 90, code="SBP")  # an SBP alone is no pair
    _pair(r, "o4", "p1", "2024-03-05T10:20:00", 169, 104)
    # 169 < 130 + 40 and 104 < 80 + 25: no rise against the latest pair (one against 100/60).
    assert _bp(r) == {BP[0]: 1, BP[1]: 0, BP[2]: 0}
    _pair(r, "o5", "p1", "2024-03-05T10:40:00", 150, 110)  # DBP 110: severe
    assert _bp(r) == {BP[0]: 1, BP[1]: 1, BP[2]: 1}


@pytest.mark.parametrize(
    ("alt", "ast", "positive"), [(120.0, 120.0, 0), (120.5, 30.0, 1), (30.0, 120.01, 1)]
)
def test_liver_signal_is_strictly_above_three_times_uln(
    registry: Registry, alt: float, ast: float, positive: int
) -> None:
    r = registry
    r.patient("p1")
    r.administration("a1", "p1", "2024-03-05T10:00:00")
    r.score("o1", "p1", "2024-03-05T10:00:00", alt, code="ALT")  # at the index instant: counts
    r.score("o2", "p1", "2024-03-20T10:00:00", ast, code="AST")
    r.score("o3", "p1", "2024-03-05T09:59:59", 900.0, code="ALT")  # before the index: not
    counts = totals(evaluate(r.engine, query("safety-signals", *MARCH)))
    assert (counts["patients-lft-checked"], counts["patients-lft-3x-uln"]) == (1, positive)


def test_liver_limits_follow_the_parameters(registry: Registry) -> None:
    r = registry
    r.patient("p1")
    r.administration("a1", "p1", "2024-03-05T10:00:00")
    r.score("o1", "p1", "2024-03-06T10:00:00", 100.0, code="ALT")
    loose = query("safety-signals", *MARCH, parameters={"alt-uln": 33.33})
    strict = query("safety-signals", *MARCH, parameters={"alt-uln": 33.34})
    assert totals(evaluate(r.engine, loose))["patients-lft-3x-uln"] == 1  # 100 > 99.99
    assert totals(evaluate(r.engine, strict))["patients-lft-3x-uln"] == 0  # 100 ≤ 100.02


@pytest.mark.parametrize(
    ("score", "threshold", "positive"), [(19, 19, 1), (18, 19, 0), (24, 25, 0)]
)
def test_bladder_signal_is_at_or_above_the_threshold(
    registry: Registry, score: float, threshold: float, positive: int
) -> None:
    r = registry
    r.patient("p1")
    r.administration("a1", "p1", "2024-03-05T10:00:00")
    r.score("o1", "p1", "2024-03-25T10:00:00", score, code="BPICSS")
    r.score("o2", "p1", "2024-04-01T10:00:00", 38, code="BPICSS")  # after the period: not
    measure_query = query("safety-signals", *MARCH, parameters={"bpic-threshold": threshold})
    counts = totals(evaluate(r.engine, measure_query))
    assert (counts["patients-bladder-screened"], counts["patients-bladder-positive"]) == (
        1,
        positive,
    )

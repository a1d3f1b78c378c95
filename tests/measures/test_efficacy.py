"""``efficacy`` on a hand-built registry: baseline and follow-up windows, ties, exact response."""

from __future__ import annotations

import pytest

from app.errors import InputError
from tests.measures.support import Registry, evaluate, query, totals


@pytest.fixture
def scores(registry: Registry) -> Registry:
    r = registry
    for pid, sex in [
        ("p1", "female"),
        ("p2", "male"),
        ("p3", "female"),
        ("p4", "male"),
        ("p5", "female"),
        ("p6", "male"),
        ("p7", "female"),
    ]:
        r.patient(pid, birth_year=1980, sex=sex)
    # p1: baseline window [Feb 16 12:00, Mar 1 12:00]; both ends inside; the latest (28) wins.
    r.administration("a1", "p1", "2024-03-01T12:00:00")
    r.score("o1a", "p1", "2024-02-16T12:00:00", 30)
    r.score("o1b", "p1", "2024-03-01T12:00:00", 28)
    # day7 target Mar 8 12:00: 6 d and 8 d are both 1 d away, the earlier (20) wins → not a
    # responder (20 > 14).
    r.score("o1c", "p1", "2024-03-07T12:00:00", 20)
    r.score("o1d", "p1", "2024-03-09T12:00:00", 10)
    # p2: baseline exactly 14 d = 336 h before the index (24); 1 s earlier (50) is outside.
    r.administration("a2", "p2", "2024-04-01T00:00:00")
    r.score("o2a", "p2", "2024-03-17T23:59:59", 50)
    r.score("o2b", "p2", "2024-03-18T00:00:00", 24)
    # Follow-up at exactly 5 d (window closed): 12 ≤ 0.5 × 24 → responder; not ≤ 10; ≤ 12.
    r.score("o2c", "p2", "2024-04-06T00:00:00", 12)
    # 24h: index + 12 h and index + 36 h are both 12 h from the target; the earlier (20) wins.
    r.score("o2d", "p2", "2024-04-01T12:00:00", 20)
    r.score("o2e", "p2", "2024-04-02T12:00:00", 15)
    # p3: baseline 9 is not above 10 → initial population only.
    r.administration("a3", "p3", "2024-05-01T00:00:00")
    r.score("o3a", "p3", "2024-04-30T00:00:00", 9)
    r.score("o3b", "p3", "2024-05-08T00:00:00", 2)
    # p4: the only score is 14 d + 1 h before the index → no baseline.
    r.administration("a4", "p4", "2024-06-01T00:00:00")
    r.score("o4a", "p4", "2024-05-17T23:00:00", 30)
    r.score("o4b", "p4", "2024-06-08T00:00:00", 5)
    # p5: follow-ups 1 s before 5 d and 1 s after 10 d → none in the day7 window.
    r.administration("a5", "p5", "2024-07-01T00:00:00")
    r.score("o5a", "p5", "2024-06-25T00:00:00", 35)
    r.score("o5b", "p5", "2024-07-05T23:59:59", 3)
    r.score("o5c", "p5", "2024-07-11T00:00:01", 3)
    # p6: MADRS 30 → 8 (responder, remitter); also PHQ9 20 → 4 (a PHQ9 remitter, ≤ 4).
    r.administration("a6", "p6", "2024-08-01T00:00:00", drug="esketamine", route="intranasal")
    r.score("o6a", "p6", "2024-07-31T00:00:00", 30)
    r.score("o6b", "p6", "2024-08-08T00:00:00", 8)
    r.score("o6c", "p6", "2024-07-31T00:00:00", 20, code="PHQ9")
    r.score("o6d", "p6", "2024-08-08T00:00:00", 4, code="PHQ9")
    # p7: index on Jan 2; the baseline from 2023 still counts (scores are not limited to the
    # period); 20 ≤ 0.5 × 40 → responder.
    r.administration("a7", "p7", "2024-01-02T00:00:00")
    r.score("o7a", "p7", "2023-12-25T00:00:00", 40)
    r.score("o7b", "p7", "2024-01-09T00:00:00", 20)
    return r


def test_efficacy_madrs_day7_counts_every_population(scores: Registry) -> None:
    counts = evaluate(
        scores.engine,
        query(
            "efficacy",
            parameters={"instrument": "MADRS", "timepoint": "day7"},
            stratify=("sex", "drug"),
        ),
    )
    assert totals(counts) == {
        "initial-population": 6,  # all but p4
        "denominator": 4,  # p1, p2, p6, p7 (p3 baseline ≤ 10, p5 no follow-up)
        "responders": 3,  # p2 (12 ≤ 12), p6, p7 (20 ≤ 20)
        "remitters": 1,  # p6
        "remitters-12": 2,  # p2, p6
    }
    assert counts["responders"][1] == {
        "sex": {"male": 2, "female": 1},
        "drug": {"ketamine": 2, "esketamine": 1},
    }


def test_efficacy_24h_picks_earlier_of_equidistant_scores(scores: Registry) -> None:
    counts = evaluate(
        scores.engine, query("efficacy", parameters={"instrument": "MADRS", "timepoint": "24h"})
    )
    # Only p2 has a score 12–48 h after the index; 20 (the earlier) wins: 40 > 24, no response.
    assert totals(counts) == {
        "initial-population": 6,
        "denominator": 1,
        "responders": 0,
        "remitters": 0,
        "remitters-12": 0,
    }


def test_efficacy_phq9_has_no_remitters_12_population(scores: Registry) -> None:
    counts = evaluate(
        scores.engine, query("efficacy", parameters={"instrument": "PHQ9", "timepoint": "day7"})
    )
    assert totals(counts) == {
        "initial-population": 1,
        "denominator": 1,
        "responders": 1,
        "remitters": 1,
    }


@pytest.mark.parametrize("missing", ["instrument", "timepoint"])
def test_efficacy_refuses_query_without_required_parameter(scores: Registry, missing: str) -> None:
    parameters: dict[str, str | float] = {"instrument": "MADRS", "timepoint": "day7"}
    del parameters[missing]
    with pytest.raises(InputError, match=missing):
        evaluate(scores.engine, query("efficacy", parameters=parameters))

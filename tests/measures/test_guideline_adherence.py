"""``guideline-adherence`` on a hand-built registry: UTC-date intervals, dispenses above max."""

from __future__ import annotations

import pytest

from tests.measures.support import Registry, evaluate, query, totals

MARCH = ("2024-03-01", "2024-03-31")


@pytest.fixture
def dosing(registry: Registry) -> Registry:
    r = registry
    r.patient("p1")
    # 23:30 and 00:30 UTC: one hour apart but on two UTC dates → interval 1 day (short).
    r.administration("a1", "p1", "2024-03-01T23:30:00")
    r.administration("a2", "p1", "2024-03-02T00:30:00")
    # Mar 2 → Mar 5: 3 days, not short (< 3 is short).
    r.administration("a3", "p1", "2024-03-05T10:00:00")
    # Two doses on one UTC date: 0 days, short.
    r.administration("a4", "p1", "2024-03-05T15:00:00")
    r.patient("p2")
    # Feb 28 → Mar 1 is short, but Feb 28 is outside the period: not an interval here.
    r.administration("b1", "p2", "2024-02-28T10:00:00", drug="esketamine", route="intranasal")
    r.administration("b2", "p2", "2024-03-01T10:00:00", drug="esketamine", route="intranasal")
    r.administration("b3", "p2", "2024-03-11T10:00:00", drug="esketamine", route="intranasal")
    r.patient("p3")
    # Any drug or route: ketamine then esketamine the next day is a short interval.
    r.administration("c1", "p3", "2024-03-10T10:00:00")
    r.administration("c2", "p3", "2024-03-11T10:00:00", drug="esketamine", route="intranasal")
    r.patient("p4")
    # The second dose is on Apr 1, outside the period: no interval.
    r.administration("d1", "p4", "2024-03-31T23:00:00")
    r.administration("d2", "p4", "2024-04-01T01:00:00")
    # Dispenses: 300 is not above 300; 300.5 is. Before the index also counts (p4).
    r.dispense("x1", "p1", "2024-03-15T09:00:00", 300.0)
    r.dispense("x2", "p1", "2024-03-16T09:00:00", 300.5)
    r.dispense("x3", "p2", "2024-02-20T09:00:00", 1000.0)  # before the period
    r.dispense("x4", "p2", "2024-03-31T23:59:00", 100.0)
    r.dispense("x5", "p4", "2024-03-05T09:00:00", 600.0)
    return r


def test_guideline_adherence_counts_utc_date_intervals_and_dispenses(dosing: Registry) -> None:
    counts = evaluate(dosing.engine, query("guideline-adherence", *MARCH, stratify=("drug",)))
    assert totals(counts) == {
        "treated-patients": 4,
        "patients-short-interval": 2,  # p1, p3
        "short-intervals": 3,  # p1: a1→a2 (1 d), a3→a4 (0 d); p3: c1→c2 (1 d)
        "patients-take-home": 3,  # p1, p2, p4
        "dispenses-above-max": 2,  # x2 (300.5), x5 (600)
    }
    # Strata from the index administration: p2 is esketamine, p3's index is ketamine.
    assert counts["patients-take-home"][1] == {"drug": {"ketamine": 2, "esketamine": 1}}
    assert counts["short-intervals"][1] == {"drug": {"ketamine": 3}}


@pytest.mark.parametrize(("limit_mg", "expected"), [(500, 1), (299.9, 3), (600, 0)])
def test_guideline_adherence_counts_strictly_above_max_take_home(
    dosing: Registry, limit_mg: float, expected: int
) -> None:
    counts = evaluate(
        dosing.engine,
        query("guideline-adherence", *MARCH, parameters={"max-take-home-mg": limit_mg}),
    )
    assert counts["dispenses-above-max"][0] == expected


def test_guideline_adherence_drug_filter_selects_patients_not_intervals(dosing: Registry) -> None:
    counts = evaluate(
        dosing.engine, query("guideline-adherence", *MARCH, filters={"drug": ("ketamine",)})
    )
    # p2 (only esketamine) is out; p3 stays and keeps its ketamine→esketamine interval.
    assert totals(counts) == {
        "treated-patients": 3,
        "patients-short-interval": 2,
        "short-intervals": 3,
        "patients-take-home": 2,
        "dispenses-above-max": 2,
    }

"""``review-intervals`` on a hand-built registry: the closed review window before each dispense."""

from __future__ import annotations

import pytest

from tests.measures.support import Registry, evaluate, instant, query, totals

MARCH = ("2024-03-01", "2024-03-31")


def _review(r: Registry, rid: str, patient: str, when: str) -> None:
    at_s, day = instant(when)
    r._insert("review", id=rid, patient_id=patient, at_s=at_s, day=day)


@pytest.fixture
def take_home(registry: Registry) -> Registry:
    r = registry
    r.patient("p1")
    r.administration("a1", "p1", "2024-03-01T10:00:00")
    r.dispense("x1", "p1", "2024-03-29T10:00:00", 300.0)
    r.patient("p2")
    r.administration("b1", "p2", "2024-03-02T10:00:00", drug="esketamine", route="intranasal")
    r.dispense("x2", "p2", "2024-03-10T09:00:00", 300.0)
    r.dispense("x3", "p2", "2024-03-20T09:00:00", 300.0)
    r.dispense("x4", "p2", "2024-04-02T09:00:00", 300.0)  # after the period: not counted
    r.patient("p3")  # treated, no dispense
    r.administration("c1", "p3", "2024-03-03T10:00:00")
    # p1: exactly 28 days (672 h) before x1, and before the period: reviewed.
    _review(r, "r1", "p1", "2024-03-01T10:00:00")
    # p2: a review at the instant of x2 counts; x3 is 10 days after it.
    _review(r, "r2", "p2", "2024-03-10T09:00:00")
    # A review after the dispense does not review it.
    _review(r, "r3", "p2", "2024-03-20T09:00:01")
    return r


def test_review_exactly_max_review_days_before_the_dispense_counts(take_home: Registry) -> None:
    counts = evaluate(take_home.engine, query("review-intervals", *MARCH, stratify=("drug",)))
    assert totals(counts) == {
        "patients-take-home": 2,
        "dispenses": 3,
        "dispenses-unreviewed": 0,
        "patients-unreviewed": 0,
    }
    assert counts["dispenses"][1] == {"drug": {"ketamine": 1, "esketamine": 2}}


def test_review_one_second_too_early_leaves_the_dispense_unreviewed(take_home: Registry) -> None:
    _review(take_home, "r0", "p1", "2024-03-01T09:59:59")  # an extra, earlier one changes nothing
    take_home.dispense("x5", "p1", "2024-03-29T10:00:01", 100.0)  # 28 d + 1 s after r1
    counts = evaluate(take_home.engine, query("review-intervals", *MARCH, stratify=("route",)))
    assert totals(counts)["dispenses-unreviewed"] == 1
    assert totals(counts)["patients-unreviewed"] == 1
    assert counts["patients-unreviewed"][1] == {"route": {"iv": 1}}  # from p1's index


@pytest.mark.parametrize(("days", "unreviewed"), [(28, 0), (27.99, 1), (10, 1), (9.99, 2)])
def test_max_review_days_sets_the_window(take_home: Registry, days: float, unreviewed: int) -> None:
    measure_query = query("review-intervals", *MARCH, parameters={"max-review-days": days})
    # x2 is reviewed at its instant; x3 exactly 10 days after r2; x1 exactly 28 days after r1.
    assert totals(evaluate(take_home.engine, measure_query))["dispenses-unreviewed"] == unreviewed


def test_filters_select_the_patients_of_the_dispenses(take_home: Registry) -> None:
    filtered = query("review-intervals", *MARCH, filters={"drug": ("esketamine",)})
    assert totals(evaluate(take_home.engine, filtered)) == {
        "patients-take-home": 1,
        "dispenses": 2,
        "dispenses-unreviewed": 0,
        "patients-unreviewed": 0,
    }

"""``discontinuations`` on a hand-built registry: dates in the period, reasons overlap."""

from __future__ import annotations

from tests.measures.support import Registry, evaluate, query


def test_discontinuations_count_patients_with_a_stop_in_period(registry: Registry) -> None:
    r = registry
    r.patient("p1")
    r.administration("a1", "p1", "2024-02-01T10:00:00", drug="esketamine", route="intranasal")
    # Before the index but in the period: counts; a second reason puts p1 in two strata.
    r.discontinuation("s1", "p1", "2024-01-15T00:00:00", "cost")
    r.discontinuation("s2", "p1", "2024-05-01T00:00:00", "relapse")
    r.patient("p2")
    r.administration("a2", "p2", "2024-03-01T10:00:00")
    r.discontinuation("s3", "p2", "2025-01-01T00:00:00", "death")  # after the period
    r.discontinuation("s4", "p2", "2024-12-31T23:59:59", "adverse-event")  # last second: in
    r.patient("p3")  # not treated in 2024
    r.administration("a3", "p3", "2023-03-01T10:00:00")
    r.discontinuation("s5", "p3", "2024-03-01T00:00:00", "cost")
    r.patient("p4")
    r.administration("a4", "p4", "2024-04-01T10:00:00")
    r.discontinuation("s6", "p4", "2024-06-01T00:00:00", "lack-of-efficacy")
    r.discontinuation("s7", "p4", "2024-07-01T00:00:00", "lack-of-efficacy")
    counts = evaluate(r.engine, query("discontinuations", stratify=("reason", "drug")))
    assert counts["treated-patients"] == (3, {"drug": {"ketamine": 2, "esketamine": 1}})
    assert counts["discontinued"] == (
        3,
        {
            "reason": {"lack-of-efficacy": 1, "relapse": 1, "adverse-event": 1, "cost": 1},
            "drug": {"ketamine": 2, "esketamine": 1},
        },
    )
    only_esketamine = evaluate(
        r.engine, query("discontinuations", filters={"drug": ("esketamine",)}, stratify=("reason",))
    )
    assert only_esketamine["discontinued"] == (1, {"reason": {"relapse": 1, "cost": 1}})

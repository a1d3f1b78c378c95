"""``adverse-events`` on a hand-built registry: 30-day attribution, links, filters, overlap."""

from __future__ import annotations

import pytest

from tests.measures.support import Registry, evaluate, query

ALL = ("event", "severity", "serious", "drug", "route")


@pytest.fixture
def events(registry: Registry) -> Registry:
    r = registry
    r.patient("p1", sex="female")
    r.administration("A1", "p1", "2024-01-10T10:00:00", drug="ketamine", route="iv")
    r.administration("A2", "p1", "2024-01-20T10:00:00", drug="esketamine", route="intranasal")
    # E1, no link: candidates A1 (15 d before) and A2 (5 d before): the latest, A2, wins.
    r.event("E1", "p1", "2024-01-25T09:00:00", event="nausea")
    # E2 links to A1: a valid link wins over the later A2.
    r.event(
        "E2",
        "p1",
        "2024-01-25T10:00:00",
        event="dissociation",
        serious=True,
        administration_id="A1",
    )
    # E3 exactly A2 + 30 days (720 h): the window is closed, so A2.
    r.event("E3", "p1", "2024-02-19T10:00:00", event="nausea")
    # E4 one second later, linked to an unknown administration (= no link): unattributed.
    r.event("E4", "p1", "2024-02-19T10:00:01", event="headache", administration_id="gone")
    # E5 before the period: not counted.
    r.event("E5", "p1", "2023-12-31T23:00:00", event="nausea")
    r.patient("p2", sex="male")
    r.administration("B1", "p2", "2023-12-20T12:00:00", drug="ketamine", route="iv")
    r.administration("B2", "p2", "2024-03-01T12:00:00", drug="ketamine", route="sc")
    # E6 16 days after B1, which is outside the period: still attributed (any administration).
    r.event("E6", "p2", "2024-01-05T12:00:00", event="dissociation", severity="severe")
    # E7 one minute before B2 and 72 days after B1: unattributed.
    r.event("E7", "p2", "2024-03-01T11:59:00", event="nausea")
    # p3 is not treated in 2024, so their event does not count.
    r.patient("p3")
    r.administration("C1", "p3", "2023-06-01T12:00:00")
    r.event("E8", "p3", "2024-01-02T12:00:00")
    return r


def test_adverse_events_attribute_events_and_count_every_population(events: Registry) -> None:
    counts = evaluate(events.engine, query("adverse-events", stratify=ALL))
    # treated: p1 (index A1 ketamine iv), p2 (index B2 ketamine sc).
    assert counts["treated-patients"] == (2, {"drug": {"ketamine": 2}, "route": {"iv": 1, "sc": 1}})
    # administrations in 2024: A1, A2, B2.
    assert counts["administrations"] == (
        3,
        {"drug": {"ketamine": 2, "esketamine": 1}, "route": {"iv": 1, "sc": 1, "intranasal": 1}},
    )
    # events E1 (A2), E2 (A1), E3 (A2), E4 (none), E6 (B1), E7 (none).
    assert counts["events"] == (
        6,
        {
            "event": {"dissociation": 2, "nausea": 3, "headache": 1},
            "severity": {"mild": 5, "severe": 1},
            "serious": {"yes": 1, "no": 5},
            "drug": {"ketamine": 2, "esketamine": 2, "unattributed": 2},
            "route": {"iv": 2, "intranasal": 2, "unattributed": 2},
        },
    )
    # p1 and p2; a patient counts in every stratum where they have an event (sums exceed 2).
    assert counts["patients-with-event"] == (
        2,
        {
            "event": {"dissociation": 2, "nausea": 2, "headache": 1},
            "severity": {"mild": 2, "severe": 1},
            "serious": {"yes": 1, "no": 2},
            "drug": {"ketamine": 2, "esketamine": 1, "unattributed": 2},
            "route": {"iv": 2, "intranasal": 1, "unattributed": 2},
        },
    )


def test_adverse_events_keep_only_events_attributed_to_the_filtered_drug(
    events: Registry,
) -> None:
    ketamine = evaluate(
        events.engine,
        query("adverse-events", filters={"drug": ("ketamine",)}, stratify=("drug",)),
    )
    # E2 (linked A1) and E6 (B1, out of period but ketamine); unattributed E4, E7 dropped.
    assert ketamine["events"] == (2, {"drug": {"ketamine": 2}})
    assert ketamine["patients-with-event"] == (2, {"drug": {"ketamine": 2}})
    assert ketamine["administrations"] == (2, {"drug": {"ketamine": 2}})  # A1, B2
    esketamine = evaluate(events.engine, query("adverse-events", filters={"drug": ("esketamine",)}))
    # Only p1 is treated with esketamine (index A2); E1 and E3 are attributed to A2.
    assert {p: total for p, (total, _) in esketamine.items()} == {
        "treated-patients": 1,
        "administrations": 1,
        "events": 2,
        "patients-with-event": 1,
    }


def test_adverse_events_route_filter_chooses_index_and_attribution(events: Registry) -> None:
    counts = evaluate(events.engine, query("adverse-events", filters={"route": ("iv",)}))
    # p1's iv index is A1; p2's only iv dose (B1) is before the period: p2 is not treated.
    # Of p1's events only E2 (linked A1) is attributed to an iv administration.
    assert {p: total for p, (total, _) in counts.items()} == {
        "treated-patients": 1,
        "administrations": 1,
        "events": 1,
        "patients-with-event": 1,
    }


def test_adverse_events_sex_filter_keeps_unattributed_events(events: Registry) -> None:
    counts = evaluate(
        events.engine, query("adverse-events", filters={"sex": ("male",)}, stratify=("drug",))
    )
    # Only p2: E6 (B1 ketamine) and E7 (unattributed, kept: no drug/route/setting filter).
    assert counts["events"] == (2, {"drug": {"ketamine": 1, "unattributed": 1}})
    assert counts["patients-with-event"] == (1, {"drug": {"ketamine": 1, "unattributed": 1}})


def test_adverse_events_give_index_only_stratifiers_no_rows_for_other_populations(
    events: Registry,
) -> None:
    counts = evaluate(events.engine, query("adverse-events", stratify=("event",)))
    assert counts["treated-patients"] == (2, {})
    assert counts["administrations"] == (3, {})
    assert counts["events"][1] == {"event": {"dissociation": 2, "nausea": 3, "headache": 1}}


def test_adverse_events_resolve_a_link_to_another_patients_administration_made_later(
    events: Registry,
) -> None:
    # The store keeps attributions per patient (app.store.event_attribution); E4's link names no
    # known administration, until one of p3's gets that id: p1 is not marked stale by it, so the
    # link is resolved when the measure reads.
    counts = evaluate(events.engine, query("adverse-events", stratify=("drug",)))
    assert counts["events"][1]["drug"]["unattributed"] == 2
    events.administration("gone", "p3", "2022-05-01T08:00:00", drug="arketamine", route="sc")
    counts = evaluate(events.engine, query("adverse-events", stratify=("drug",)))
    assert counts["events"] == (
        6,
        {"drug": {"ketamine": 2, "esketamine": 2, "arketamine": 1, "unattributed": 1}},
    )


def test_adverse_events_follow_new_administrations_and_deleted_events(events: Registry) -> None:
    evaluate(events.engine, query("adverse-events", stratify=("drug",)))  # attributions kept
    # A later candidate for E1 (one hour before it), then E2 erased by hand: both mark p1.
    events.administration("A3", "p1", "2024-01-25T08:00:00", drug="arketamine", route="sc")
    with events.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM adverse_event WHERE id = 'E2'")
    counts = evaluate(events.engine, query("adverse-events", stratify=("drug",)))
    # E1, E3 and E4 (unknown link) now all within 30 days after A3; E6 (B1), E7 (none).
    assert counts["events"] == (5, {"drug": {"ketamine": 1, "arketamine": 3, "unattributed": 1}})

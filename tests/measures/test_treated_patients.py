"""``treated-patients`` on a hand-built registry: index administration, age at index, filters."""

from __future__ import annotations

import pytest

from app.measures.cohort import prefers_administration_scan
from tests.measures.support import Registry, evaluate, query

ALL = ("drug", "route", "sex", "age-band", "year", "setting")


@pytest.fixture
def five_patients(registry: Registry) -> Registry:
    r = registry
    # p1 (born 1990): a ketamine dose 30 min before the period, then esketamine at 00:10 UTC on
    # the first day. In 2024 the index is p1-b (first in period); in 2023..2024 it is p1-a.
    r.patient("p1", birth_year=1990, sex="female")
    r.administration("p1-a", "p1", "2023-12-31T23:30:00", drug="ketamine", route="iv")
    r.administration(
        "p1-b",
        "p1",
        "2024-01-01T00:10:00",
        drug="esketamine",
        route="intranasal",
        setting="home-supervised",
    )
    # p2 (born 2007): age at index 2024 − 2007 = 17 → "<18" (no birthday adjustment).
    r.patient("p2", birth_year=2007, sex="male")
    r.administration("p2-a", "p2", "2024-06-01T12:00:00", drug="ketamine", route="iv")
    # p3 (born 1959): last second of the period counts (period ends inclusive); age 65 → "65+".
    r.patient("p3", birth_year=1959, sex="other")
    r.administration("p3-a", "p3", "2024-12-31T23:59:59", route="im", setting="inpatient")
    r.administration("p3-b", "p3", "2025-01-01T00:00:00", route="im")
    # p4: only treated after the period → not counted.
    r.patient("p4", birth_year=1970, sex="male")
    r.administration("p4-a", "p4", "2025-02-01T08:00:00")
    # p5 (born 2000): the earlier instant is the index even though its id sorts later;
    # age 24 → "18-24". With drug=ketamine the index becomes p5-a (March).
    r.patient("p5", birth_year=2000, sex="female")
    r.administration("p5-a", "p5", "2024-03-01T09:00:00", drug="ketamine", route="iv")
    r.administration("p5-b", "p5", "2024-02-01T09:00:00", drug="esketamine", route="intranasal")
    return r


def test_treated_patients_counts_index_strata_without_filters(
    five_patients: Registry,
) -> None:
    counts = evaluate(five_patients.engine, query("treated-patients", stratify=ALL))
    total, strata = counts["treated-patients"]
    assert total == 4  # p1, p2, p3, p5
    assert strata["drug"] == {"ketamine": 2, "esketamine": 2}  # index: p1-b, p5-b esketamine
    assert strata["route"] == {"iv": 1, "im": 1, "intranasal": 2}
    assert strata["sex"] == {"male": 1, "female": 2, "other": 1}
    assert strata["age-band"] == {"<18": 1, "18-24": 1, "25-34": 1, "65+": 1}
    assert strata["year"] == {"2024": 4}
    assert strata["setting"] == {"clinic": 2, "inpatient": 1, "home-supervised": 1}


def test_treated_patients_uses_first_matching_administration_under_drug_filter(
    five_patients: Registry,
) -> None:
    counts = evaluate(
        five_patients.engine,
        query("treated-patients", stratify=("route",), filters={"drug": ("ketamine",)}),
    )
    # p1 has no ketamine in 2024 (p1-a is the day before): out. p2, p3, p5 (index p5-a).
    assert counts["treated-patients"] == (3, {"route": {"iv": 2, "im": 1}})


def test_treated_patients_applies_age_band_at_the_filtered_index(five_patients: Registry) -> None:
    counts = evaluate(
        five_patients.engine,
        query(
            "treated-patients",
            filters={"drug": ("ketamine",), "age-band": ("18-24", "65+")},
            stratify=("age-band",),
        ),
    )
    # Ketamine index: p2 (17 → <18, dropped), p3 (65+), p5 (24 → 18-24).
    assert counts["treated-patients"] == (2, {"age-band": {"18-24": 1, "65+": 1}})


def test_treated_patients_takes_index_year_across_midnight_of_new_year(
    five_patients: Registry,
) -> None:
    counts = evaluate(
        five_patients.engine,
        query("treated-patients", "2023-01-01", "2024-12-31", stratify=("year", "age-band")),
    )
    total, strata = counts["treated-patients"]
    # p1's index is now p1-a at 2023-12-31T23:30Z: year 2023, age 2023 − 1990 = 33 → 25-34.
    assert total == 4
    assert strata["year"] == {"2023": 1, "2024": 3}
    assert strata["age-band"] == {"<18": 1, "18-24": 1, "25-34": 1, "65+": 1}


def test_treated_patients_keeps_only_filtered_sex(five_patients: Registry) -> None:
    counts = evaluate(
        five_patients.engine,
        query("treated-patients", filters={"sex": ("female",)}, stratify=("sex",)),
    )
    assert counts["treated-patients"] == (2, {"sex": {"female": 2}})


def test_treated_patients_counts_zero_when_period_has_no_administration(
    five_patients: Registry,
) -> None:
    counts = evaluate(
        five_patients.engine,
        query("treated-patients", "2020-01-01", "2020-12-31", stratify=("drug",)),
    )
    assert counts["treated-patients"] == (0, {"drug": {}})


def test_treated_patients_fills_zero_strata_when_asked(five_patients: Registry) -> None:
    counts = evaluate(
        five_patients.engine,
        query("treated-patients", "2023-06-01", "2024-12-31", stratify=("year", "sex")),
        include_zero_strata=True,
    )
    _, strata = counts["treated-patients"]
    assert strata["year"] == {"2023": 1, "2024": 3}
    assert strata["sex"] == {"male": 1, "female": 2, "other": 1, "unknown": 0}


@pytest.mark.parametrize("span_days", [0, 3650])
def test_treated_patients_period_ends_are_the_first_and_last_second_of_its_days(
    registry: Registry, span_days: int
) -> None:
    # span_days 0: the period covers the data, and SQLite reads the period as a range of
    # instants (``prefers_administration_scan``); 3650: a far earlier dose makes it a small share,
    # read by day number. Both must keep the same administrations.
    r = registry
    for pid, when in (
        ("before", "2024-02-29T23:59:59"),
        ("first", "2024-03-01T00:00:00"),
        ("last", "2024-03-31T23:59:59"),
        ("after", "2024-04-01T00:00:00"),
    ):
        r.patient(pid)
        r.administration(pid + "-a", pid, when)
    if span_days:
        r.patient("early")
        r.administration("early-a", "early", "2014-03-01T00:00:00")
    measure_query = query("treated-patients", "2024-03-01", "2024-03-31")
    with r.engine.connect() as connection:
        assert prefers_administration_scan(connection, measure_query) == (span_days == 0)
    assert evaluate(r.engine, measure_query)["treated-patients"] == (2, {})


@pytest.mark.parametrize("span_days", [0, 3650])
def test_index_ties_at_one_instant_go_to_the_least_id_in_either_read(
    registry: Registry, span_days: int
) -> None:
    # Two doses at the patient's first instant in the period, the larger id inserted first (so
    # the table's rowid order is not the id order), and an earlier dose before the period. The
    # index is the least id at the first instant among the doses matching the filters: with
    # span_days 0 SQLite seeks per patient, with 3650 it groups by day number.
    r = registry
    r.patient("p1")
    r.administration("p1-0", "p1", "2024-02-20T08:00:00", drug="arketamine", route="sc")
    r.administration("p1-z", "p1", "2024-03-05T08:00:00", drug="ketamine", route="im")
    r.administration("p1-m", "p1", "2024-03-05T08:00:00", drug="esketamine", route="intranasal")
    r.administration("p1-b", "p1", "2024-03-09T08:00:00", drug="ketamine", route="iv")
    r.patient("p2")  # only doses after the period: not treated
    r.administration("p2-a", "p2", "2024-04-02T08:00:00")
    if span_days:
        r.patient("early")
        r.administration("early-a", "early", "2014-03-01T00:00:00", drug="esketamine")
    period = ("2024-03-01", "2024-03-31")
    with r.engine.connect() as connection:
        assert prefers_administration_scan(connection, query("treated-patients", *period)) == (
            span_days == 0
        )
    assert evaluate(r.engine, query("treated-patients", *period, stratify=("route",))) == {
        "treated-patients": (1, {"route": {"intranasal": 1}})
    }
    filtered = query(
        "treated-patients", *period, stratify=("route",), filters={"drug": ("ketamine",)}
    )
    assert evaluate(r.engine, filtered) == {"treated-patients": (1, {"route": {"im": 1}})}
    routed = query("treated-patients", *period, stratify=("drug",), filters={"route": ("iv",)})
    assert evaluate(r.engine, routed) == {"treated-patients": (1, {"drug": {"ketamine": 1}})}

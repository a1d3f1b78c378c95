"""``administrations`` on a hand-built registry: strata per administration, half-open dose bands."""

from __future__ import annotations

import pytest

from tests.measures.support import Registry, evaluate, query


@pytest.fixture
def doses(registry: Registry) -> Registry:
    r = registry
    r.patient("p1", birth_year=1980, sex="female")
    # Dose bands are half-open on mg: 24.99 → <25, 25 → 25-49, 49.99 → 25-49, 50 → 50-74,
    # 99.5 → 75-99, 100 → 100-149, 149.9 → 100-149, 150 → 150+.
    for number, (when, dose) in enumerate(
        [
            ("2023-12-31T23:59:59", 24.99),
            ("2024-01-01T00:00:00", 25.0),
            ("2024-01-02T00:00:00", 49.99),
            ("2024-01-03T00:00:00", 50.0),
            ("2024-01-04T00:00:00", 99.5),
            ("2024-01-05T00:00:00", 100.0),
            ("2024-01-06T00:00:00", 149.9),
            ("2024-01-07T00:00:00", 150.0),
        ]
    ):
        r.administration(f"a{number}", "p1", when, dose_mg=dose, route="iv" if number % 2 else "sc")
    # p2 (born 2006): index in 2023 at age 17 (<18); in 2024 they are 18 but the age band is
    # fixed at the index, so an 18-24 filter drops both of p2's administrations.
    r.patient("p2", birth_year=2006, sex="male")
    r.administration("b1", "p2", "2023-06-01T10:00:00", drug="esketamine", route="intranasal")
    r.administration("b2", "p2", "2024-06-01T10:00:00", drug="esketamine", route="intranasal")
    return r


def test_administrations_bands_doses_half_open(doses: Registry) -> None:
    counts = evaluate(
        doses.engine, query("administrations", "2023-01-01", "2024-12-31", stratify=("dose-band",))
    )
    assert counts["administrations"] == (
        10,
        # b1 and b2 have the default 50 mg.
        {"dose-band": {"<25": 1, "25-49": 2, "50-74": 3, "75-99": 1, "100-149": 2, "150+": 1}},
    )


def test_administrations_take_year_from_each_administration(doses: Registry) -> None:
    counts = evaluate(
        doses.engine, query("administrations", "2023-01-01", "2024-12-31", stratify=("year",))
    )
    # a0 (2023-12-31T23:59:59) and b1 are in 2023; the rest in 2024.
    assert counts["administrations"] == (10, {"year": {"2023": 2, "2024": 8}})


def test_administrations_filter_route_and_drop_patients_by_age_at_index(doses: Registry) -> None:
    both_years = ("2023-01-01", "2024-12-31")
    by_age = evaluate(
        doses.engine,
        query("administrations", *both_years, filters={"age-band": ("18-24",)}, stratify=("drug",)),
    )
    assert by_age["administrations"] == (0, {"drug": {}})  # p1 is 43/44, p2 17 at index
    by_route = evaluate(
        doses.engine,
        query(
            "administrations",
            "2024-01-01",
            "2024-12-31",
            filters={"route": ("iv",)},
            stratify=("route", "setting"),
        ),
    )
    # In 2024: iv doses are a1, a3, a5, a7 (odd numbers).
    assert by_route["administrations"] == (4, {"route": {"iv": 4}, "setting": {"clinic": 4}})


def test_administrations_clip_records_per_patient_when_asked(doses: Registry) -> None:
    counts = evaluate(
        doses.engine,
        query("administrations", "2023-01-01", "2024-12-31", stratify=("drug",)),
        clip_records_per_patient=3,
    )
    # p1 has 8 doses, p2 has 2: at most 3 each are counted.
    assert counts["administrations"] == (5, {"drug": {"ketamine": 3, "esketamine": 2}})

"""Queries checked against the catalogue: 400s naming the problem, and the normal form."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.catalogue import validate_query
from app.errors import InputError
from tests.measures.support import query


@pytest.mark.parametrize(
    ("measure_query", "named"),
    [
        (query("no-such-measure"), "unknown measure"),
        (replace(query("treated-patients"), version="2"), "unknown version"),
        (query("treated-patients", stratify=("event",)), "unknown stratifier"),
        (query("administrations", stratify=("sex",)), "unknown stratifier"),
        (query("treated-patients", filters={"colour": ("red",)}), "unknown filter key"),
        (
            query("treated-patients", filters={"drug": ("aspirin",)}),
            "unknown value for filter drug",
        ),
        (query("treated-patients", filters={"age-band": ("18-25",)}), "filter age-band"),
        (query("treated-patients", parameters={"instrument": "MADRS"}), "unknown parameter"),
        (query("efficacy", parameters={"instrument": "BDI", "timepoint": "day7"}), "instrument"),
        (query("efficacy", parameters={"instrument": "MADRS", "timepoint": "day8"}), "timepoint"),
        (query("efficacy", parameters={"timepoint": "day8"}), "instrument: required"),
        (query("guideline-adherence", parameters={"max-take-home-mg": 0.0}), "max-take-home-mg"),
        (query("guideline-adherence", parameters={"max-take-home-mg": "lots"}), "max-take-home-mg"),
        (query("treated-patients", "2024-02-01", "2024-01-31"), "inverted"),
        (replace(query("treated-patients"), min_cell=0), "min-cell"),
    ],
)
def test_validate_query_refuses_with_the_broken_rule_named(measure_query, named: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=named):
        validate_query(measure_query)


def test_validate_query_returns_normal_form_with_defaults() -> None:
    normal = validate_query(
        query(
            "guideline-adherence",
            filters={"route": ("sc", "iv")},
            stratify=("drug", "route", "drug"),
        )
    )
    assert normal.version == "1"
    assert normal.parameters == {"max-take-home-mg": 300.0}
    assert normal.filters == {"route": ("iv", "sc")}  # catalogue order
    assert normal.stratify == ("drug", "route")
    assert normal.period_start == date(2024, 1, 1)


def test_validate_query_accepts_decimal_parameter_given_as_text() -> None:
    normal = validate_query(query("guideline-adherence", parameters={"max-take-home-mg": "250"}))
    assert normal.parameters == {"max-take-home-mg": 250.0}

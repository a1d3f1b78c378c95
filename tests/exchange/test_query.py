"""``MeasureQuery`` ⇄ FHIR ``Parameters``: round trip, shape errors, canonical keys."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from app.errors import InputError
from app.exchange.query import MeasureQuery, canonical_key, parse_parameters, to_parameters

QUERY = MeasureQuery(
    measure="efficacy",
    version="1",
    period_start=date(2024, 1, 1),
    period_end=date(2024, 12, 31),
    filters={"drug": ("ketamine", "esketamine"), "sex": ("female",)},
    stratify=("route", "age-band"),
    parameters={"instrument": "MADRS", "timepoint": "day28"},
    min_cell=15,
)


def body(*parts: dict[str, Any]) -> dict[str, Any]:
    base = [
        {"name": "measure", "valueCanonical": "https://ketanet.org/fhir/Measure/treated-patients"},
        {"name": "periodStart", "valueDate": "2024-01-01"},
        {"name": "periodEnd", "valueDate": "2024-12-31"},
    ]
    names = {part["name"] for part in parts}
    return {
        "resourceType": "Parameters",
        "parameter": [p for p in base if p["name"] not in names] + list(parts),
    }


def test_parse_parameters_reads_back_what_to_parameters_wrote() -> None:
    assert parse_parameters(to_parameters(QUERY)) == QUERY
    decimal = replace(QUERY, measure="guideline-adherence", parameters={"max-take-home-mg": 250.0})
    assert parse_parameters(to_parameters(decimal)) == decimal


def test_parse_parameters_reads_minimal_body_without_version() -> None:
    query = parse_parameters(body())
    assert (query.measure, query.version, query.filters, query.stratify) == (
        "treated-patients",
        None,
        {},
        (),
    )


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({"resourceType": "Bundle"}, "resourceType"),
        ({"resourceType": "Parameters", "parameter": []}, "parameter"),
        (body({"name": "measure", "valueCanonical": "https://example.org/Measure/x"}), "measure"),
        (body({"name": "measure", "valueString": "treated-patients"}), "measure"),
        (body({"name": "periodStart", "valueDate": "2024"}), "periodStart"),
        (body({"name": "periodEnd", "valueDate": "2024-02-30"}), "periodEnd"),
        (body({"name": "periodEnd", "valueDate": "2023-12-31"}), "inverted"),
        (body({"name": "stratifier", "valueString": "drug"}), "stratifier"),
        (body({"name": "filter", "valueString": "drug"}), "filter"),
        (body({"name": "filter", "valueString": "drug=ketamine,"}), "filter"),
        (
            body(
                {"name": "filter", "valueString": "drug=a"},
                {"name": "filter", "valueString": "drug=b"},
            ),
            "filter",
        ),
        (body({"name": "min-cell", "valueInteger": 0}), "min-cell"),
        (body({"name": "min-cell", "valueString": "20"}), "min-cell"),
        (body({"name": "max-take-home-mg", "valueString": "300"}), "max-take-home-mg"),
        (
            body(
                {"name": "instrument", "valueCode": "MADRS"},
                {"name": "instrument", "valueCode": "PHQ9"},
            ),
            "instrument",
        ),
        (body({"name": "timepoint", "valueCode": "day7", "valueString": "day7"}), "timepoint"),
        ({"resourceType": "Parameters", "parameter": [{"name": "measure"}]}, "measure"),
    ],
)
def test_parse_parameters_refuses_malformed_part_naming_it(
    document: dict[str, Any], named: str
) -> None:
    with pytest.raises(InputError, match=named):
        parse_parameters(document)


def test_canonical_key_is_equal_for_rephrased_same_question() -> None:
    rephrased = replace(
        QUERY,
        filters={"sex": ("female",), "drug": ("esketamine", "ketamine")},
        stratify=("age-band", "route"),
    )
    assert canonical_key(rephrased) == canonical_key(QUERY)
    limit = replace(QUERY, parameters={"max-take-home-mg": 300})
    assert canonical_key(limit) == canonical_key(
        replace(limit, parameters={"max-take-home-mg": 300.0})
    )


def test_canonical_key_differs_for_different_question() -> None:
    assert canonical_key(replace(QUERY, period_end=date(2024, 12, 30))) != canonical_key(QUERY)
    assert canonical_key(replace(QUERY, min_cell=None)) != canonical_key(QUERY)


def test_requester_part_travels_with_the_query_and_is_no_part_of_the_question() -> None:
    asked = replace(QUERY, requester="analyst-7")
    assert parse_parameters(to_parameters(asked)) == asked
    assert {"name": "requester", "valueString": "analyst-7"} in to_parameters(asked)["parameter"]
    assert canonical_key(asked) == canonical_key(QUERY)  # the same question whoever asks
    with pytest.raises(InputError, match="requester"):
        parse_parameters(body({"name": "requester", "valueString": ""}))
    with pytest.raises(InputError, match="requester"):
        parse_parameters(body({"name": "requester", "valueString": "x" * 201}))

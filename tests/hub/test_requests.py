"""Turning API bodies and CLI options into queries at the hub."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import InputError
from app.hub.requests import query_echo, query_from_options, query_from_request


def test_cli_options_build_the_same_query_as_the_api() -> None:
    from_cli = query_from_options(
        "efficacy",
        "2024-01-01..2024-12-31",
        ["drug=ketamine,esketamine", "sex=female"],
        ["route"],
        ["instrument=MADRS", "timepoint=day28"],
    )
    from_api = query_from_request(
        {
            "measure": "efficacy",
            "period": {"start": "2024-01-01", "end": "2024-12-31"},
            "filters": {"drug": ["ketamine", "esketamine"], "sex": ["female"]},
            "stratify": ["route"],
            "parameters": {"instrument": "MADRS", "timepoint": "day28"},
        }
    )
    assert from_cli == from_api
    assert from_cli.period_start == date(2024, 1, 1)
    assert query_echo(from_cli)["filters"] == {
        "drug": ["ketamine", "esketamine"],
        "sex": ["female"],
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"measure": "nope", "period": {"start": "2024-01-01", "end": "2024-02-01"}}, "measure"),
        ({"measure": "administrations"}, "period"),
        (
            {"measure": "administrations", "period": {"start": "2024-13-01", "end": "2024-12-31"}},
            "period.start",
        ),
        (
            {"measure": "administrations", "period": {"start": "2024-12-31", "end": "2024-01-01"}},
            "end is before",
        ),
        (
            {
                "measure": "administrations",
                "period": {"start": "2024-01-01", "end": "2024-12-31"},
                "filters": {"drug": "x"},
            },
            "filters",
        ),
    ],
)
def test_bad_requests_are_refused_naming_the_field(body: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        query_from_request(body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"measure": "treated-patients", "filters": {"colour": ["red"]}},
            "unknown filter key 'colour'",
        ),
        (
            {"measure": "treated-patients", "filters": {"drug": ["aspirin"]}},
            "unknown value for filter drug",
        ),
        (
            {"measure": "treated-patients", "stratify": ["dose-band"]},
            "unknown stratifier 'dose-band'",
        ),
        ({"measure": "efficacy", "parameters": {"timepoint": "day28"}}, "instrument: required"),
        (
            {"measure": "efficacy", "parameters": {"instrument": "BDI", "timepoint": "day28"}},
            "instrument: must be one of MADRS",
        ),
        (
            {"measure": "guideline-adherence", "parameters": {"max-take-home-mg": "lots"}},
            "must be a number",
        ),
        (
            {"measure": "administrations", "parameters": {"instrument": "MADRS"}},
            "unknown parameter",
        ),
    ],
)
def test_queries_outside_the_catalogue_refused_at_the_hub(body: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        query_from_request({"period": {"start": "2024-01-01", "end": "2024-12-31"}, **body})


def test_integral_numbers_stay_integers() -> None:
    query = query_from_options(
        "guideline-adherence", "2024-01-01..2024-12-31", [], [], ["max-take-home-mg=250"]
    )
    assert query_echo(query)["parameters"] == {"max-take-home-mg": 250}


def test_period_option_required() -> None:
    with pytest.raises(InputError, match="--period"):
        query_from_options("administrations", None, [], [], [])

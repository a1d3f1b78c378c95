"""Value parsing (dates, time zones, numbers, units) and simple FHIR paths."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.mapping.fields import compile_field
from app.mapping.getters import Binding
from app.mapping.paths import PathSyntaxError, compile_path, evaluate_path
from app.mapping.values import (
    INSTANT_CACHE_SIZE,
    ValueProblem,
    convert_mass,
    instant_parser,
    parse_birth,
    parse_decimal,
    parse_int,
)
from app.profiles import field_def

OSLO = ZoneInfo("Europe/Oslo")


def epoch(text: str) -> int:
    """Return the UTC epoch seconds of an ISO instant with an offset."""
    return int(datetime.fromisoformat(text).timestamp())


def test_instant_with_offset_ignores_the_zone() -> None:
    assert instant_parser(None, OSLO)("2024-03-01T10:00:00+05:00") == epoch("2024-03-01T05:00:00Z")


def test_instant_without_offset_is_read_in_the_zone() -> None:
    assert instant_parser(None, OSLO)("2024-07-01T10:00:00") == epoch("2024-07-01T08:00:00Z")
    assert instant_parser(None, OSLO)("2024-01-01T10:00") == epoch("2024-01-01T09:00:00Z")


def test_date_only_is_midnight_in_the_zone() -> None:
    assert instant_parser(None, OSLO)("2024-03-02") == epoch("2024-03-01T23:00:00Z")
    assert instant_parser(None, UTC)("2024-03-02") == epoch("2024-03-02T00:00:00Z")


def test_instant_parses_when_format_is_given() -> None:
    assert instant_parser("%d.%m.%Y %H.%M", OSLO)("31.12.2023 23.30") == epoch(
        "2023-12-31T22:30:00Z"
    )


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("2024-02-30", "impossible date/time (no such day or time)"),
        ("2023-02-29T10:00", "impossible date/time (no such day or time)"),
        ("2024-03-01T24:30", "impossible date/time (no such day or time)"),
        ("01/03/2024", "not a date/time in the format ISO 8601"),
        ("", "not a date/time in the format ISO 8601"),
    ],
)
def test_bad_instants_name_the_rule_only(text: str, rule: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        instant_parser(None, UTC)(text)
    assert caught.value.rule == rule
    if text:
        assert text not in caught.value.rule


@given(
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2099, 12, 30)),
    st.booleans(),
)
def test_instant_parser_answers_a_repeated_text_as_it_did_the_first_time(
    moment: datetime, with_offset: bool
) -> None:
    # The parser remembers texts it parsed (a bounded cache): every answer stays the parse's.
    parse = instant_parser(None, OSLO)
    aware = moment.replace(tzinfo=UTC if with_offset else OSLO)
    text = (aware if with_offset else moment).isoformat()
    assert parse(text) == math.floor(aware.timestamp())
    assert parse("2024-07-01T10:00:00") == epoch("2024-07-01T08:00:00Z")
    assert parse(text) == math.floor(aware.timestamp())


def test_instant_parser_rejects_a_bad_text_every_time_and_stays_bounded() -> None:
    parse = instant_parser(None, UTC)
    for _ in range(2):
        with pytest.raises(ValueProblem):
            parse("2024-02-30")
    start = epoch("2024-01-01T00:00:00Z")
    texts = [
        (datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=n)).isoformat()
        for n in range(INSTANT_CACHE_SIZE + 10)
    ]
    assert [parse(text) for text in texts] == [start + 60 * n for n in range(len(texts))]
    assert [parse(text) for text in texts[:10]] == [start + 60 * n for n in range(10)]


def test_instant_merges_when_date_and_time_are_split() -> None:
    spec = {"column": "d", "format": "%d/%m/%Y", "time": {"column": "t", "format": "%H:%M"}}
    field = compile_field(
        field_def("administration", "administered_at"), spec, Binding(("d", "t")), OSLO
    )
    assert field.extract(["01/07/2024", "10:15"], {}) == epoch("2024-07-01T08:15:00Z")
    assert field.extract(["01/07/2024", ""], {}) == epoch("2024-06-30T22:00:00Z")
    with pytest.raises(ValueProblem) as caught:
        field.extract(["01/07/2024", "25:99"], {})
    assert (caught.value.label, caught.value.rule) == ("t", "not a time in the format %H:%M")


def test_mass_converts_to_the_registry_unit_when_known() -> None:
    assert convert_mass(0.056, "g", "mg") == 56.0
    assert convert_mass(154.0, "lb", "kg") == 69.853225
    assert convert_mass(500, "mcg", "mg") == 0.5
    assert convert_mass(70, "KG", "kg") == 70
    with pytest.raises(ValueProblem, match="unknown unit"):
        convert_mass(1, "stone", "kg")


def test_number_converts_when_unit_is_a_column_and_decimal_a_comma() -> None:
    spec = {"column": "dose", "unit": {"column": "unit"}, "decimal": ","}
    field = compile_field(
        field_def("administration", "dose_mg"), spec, Binding(("dose", "unit")), UTC
    )
    assert field.extract(["0,035", "g"], {}) == 35.0
    assert field.extract(["1.234,5", "mg"], {}) == 1234.5
    with pytest.raises(ValueProblem) as caught:
        field.extract(["12", ""], {})
    assert (caught.value.label, caught.value.rule) == ("unit", "unit missing")


def test_default_fills_empty_values_and_required_refuses_them() -> None:
    setting = compile_field(
        field_def("administration", "setting"),
        {"column": "s", "default": "clinic"},
        Binding(("s",)),
        UTC,
    )
    assert setting.extract([""], {}) == "clinic"
    drug = compile_field(field_def("administration", "drug"), {"column": "d"}, Binding(("d",)), UTC)
    with pytest.raises(ValueProblem, match="required value missing"):
        drug.extract(["  "], {})


@pytest.mark.parametrize(
    ("raw", "expected"), [("1.5", 1.5), (2, 2.0), (" 7 ", 7.0), ("1e2", 100.0)]
)
def test_decimal_parses_when_well_formed(raw: Any, expected: float) -> None:
    assert parse_decimal(raw) == expected


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1_000", "x", True, ""])
def test_decimal_is_refused_when_not_a_finite_number(raw: Any) -> None:
    with pytest.raises(ValueProblem):
        parse_decimal(raw)


def test_integer_is_refused_when_fractional() -> None:
    assert parse_int("3") == parse_int(3.0) == parse_int("3.0") == 3
    with pytest.raises(ValueProblem, match="not an integer"):
        parse_int("3.5")


def test_birth_date_parses_when_full_or_partial() -> None:
    assert parse_birth("1980-05-17", None).year == 1980  # type: ignore[union-attr]
    assert parse_birth("1980-05", None) == 1980
    assert parse_birth("1980", None) == 1980
    with pytest.raises(ValueProblem):
        parse_birth("1980-13", None)


@given(
    st.datetimes(
        min_value=datetime(1950, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_any_offset_instant_reads_back_to_the_same_moment(moment: datetime, minutes: int) -> None:
    shown = moment.astimezone(timezone(timedelta(minutes=minutes))).replace(microsecond=0)
    assert instant_parser(None, OSLO)(shown.isoformat()) == int(shown.timestamp())


RESOURCE = {
    "resourceType": "Observation",
    "code": {
        "coding": [
            {"system": "http://snomed.info/sct", "code": "123"},
            {"system": "http://loinc.org", "code": "44261-6"},
        ]
    },
    "extension": [
        {
            "url": "https://ketanet.org/fhir/StructureDefinition/body-weight",
            "valueQuantity": {"value": 70},
        }
    ],
    "subject": {"reference": "Patient/p1"},
    "note": [{"text": "first"}, {"text": "second"}],
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("code.coding[system=http://loinc.org].code", "44261-6"),
        ("code.coding[0].code", "123"),
        ("code.coding.code", "123"),
        (
            "extension[url=https://ketanet.org/fhir/StructureDefinition/body-weight].valueQuantity.value",
            70,
        ),
        ("note[1].text", "second"),
        ("note[5].text", None),
        ("code.coding[system=http://example.org].code", None),
        ("subject.reference", "Patient/p1"),
        ("missing.deeper", None),
    ],
)
def test_fhir_path_finds_the_value_or_none(path: str, value: Any) -> None:
    assert evaluate_path(compile_path(path), RESOURCE) == value


@pytest.mark.parametrize("path", ["", "a..b", "a[", "a[x]", "a.[0]", "1a", "a[=b]"])
def test_fhir_path_is_refused_when_malformed(path: str) -> None:
    with pytest.raises(PathSyntaxError):
        compile_path(path)


@given(
    st.recursive(
        st.none() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(max_size=3), inner),
        max_leaves=10,
    )
)
def test_paths_never_fail_on_arbitrary_json(document: Any) -> None:
    evaluate_path(compile_path("a[0].b[system=x].c"), {"a": document})

"""The shipped FHIR ``Measure`` resources: valid R4B, the populations of docs/measures.md."""

from __future__ import annotations

import copy
import json

import pytest
from fhir.resources.R4B.measure import Measure

from app.catalogue import load_catalogue, published_measures
from app.catalogue.parse import parse_measure
from app.errors import ConfigError
from app.package_data import data_path

PATIENT = ["drug", "route", "sex", "age-band", "year", "setting"]
EVENT = ["event", "severity", "serious", "drug", "route"]
EFFICACY = ["drug", "route", "sex", "age-band"]
EXPECTED = {
    "treated-patients": {"treated-patients": PATIENT},
    "administrations": {"administrations": ["drug", "route", "setting", "year", "dose-band"]},
    "adverse-events": {
        "treated-patients": ["drug", "route"],
        "administrations": ["drug", "route"],
        "events": EVENT,
        "patients-with-event": EVENT,
    },
    "efficacy": {
        name: EFFICACY
        for name in ["initial-population", "denominator", "responders", "remitters", "remitters-12"]
    },
    "discontinuations": {
        "treated-patients": ["drug", "route"],
        "discontinued": ["reason", "drug", "route"],
    },
    "cross-border-overlap": {"treated-patients": [], "overlap": ["pair"]},
    "patient-experience": {
        "respondents": ["answer", "drug", "route", "sex", "age-band"],
        "top-box": ["drug", "route", "sex", "age-band"],
    },
    "informed-consent": {
        name: ["drug", "route", "setting"]
        for name in [
            "treated-patients",
            "written-consent",
            "information-sheet",
            "alternatives-discussed",
        ]
    },
    "guideline-adherence": {
        name: ["drug", "route"]
        for name in [
            "treated-patients",
            "patients-short-interval",
            "short-intervals",
            "patients-take-home",
            "dispenses-above-max",
        ]
    },
    "safety-signals": {
        name: EFFICACY
        for name in [
            "administrations-bp-checked",
            "administrations-bp-rise",
            "administrations-severe-bp",
            "patients-lft-checked",
            "patients-lft-3x-uln",
            "patients-bladder-screened",
            "patients-bladder-positive",
        ]
    },
    "review-intervals": {
        name: ["drug", "route"]
        for name in [
            "patients-take-home",
            "dispenses",
            "dispenses-unreviewed",
            "patients-unreviewed",
        ]
    },
}


@pytest.mark.parametrize(
    "path", sorted(data_path("schemas/measures").glob("*.json")), ids=lambda p: p.stem
)
def test_measure_resource_validates_as_fhir_r4b(path) -> None:  # type: ignore[no-untyped-def]
    resource = json.loads(path.read_text())
    Measure.model_validate(resource)
    assert resource["url"] == f"https://ketanet.org/fhir/Measure/{path.stem}"
    assert (resource["id"], resource["version"], resource["status"]) == (path.stem, "1", "active")


def test_catalogue_lists_the_populations_and_stratifiers_of_the_design() -> None:
    catalogue = load_catalogue()
    assert {
        measure: {p.id: sorted(p.stratifiers) for p in definition.populations}
        for measure, definition in catalogue.items()
    } == {m: {p: sorted(s) for p, s in pops.items()} for m, pops in EXPECTED.items()}
    for definition in catalogue.values():
        assert list(definition.filters) == ["drug", "route", "sex", "age-band", "setting"]
    assert catalogue["efficacy"].parameters["instrument"].values == (
        "MADRS",
        "PHQ9",
        "HAMD17",
        "QIDSSR16",
    )
    assert catalogue["guideline-adherence"].parameters["max-take-home-mg"].default == 300.0


def test_catalogue_marks_overlapping_strata_only_where_a_patient_can_repeat() -> None:
    overlapping = {
        (measure, p.id, key)
        for measure, definition in load_catalogue().items()
        for p in definition.populations
        for key, spec in p.stratifiers.items()
        if spec.overlap
    }
    assert overlapping == {("adverse-events", "patients-with-event", key) for key in EVENT} | {
        ("discontinuations", "discontinued", "reason")
    }


def test_definitions_are_parsed_from_the_published_resources() -> None:
    published = published_measures()
    assert list(load_catalogue()) == list(published)
    assert all(load_catalogue()[m].version == r["version"] for m, r in published.items())
    remitters = next(p for p in load_catalogue()["efficacy"].populations if p.id == "remitters-12")
    assert remitters.condition == ("instrument", "MADRS")
    assert remitters.applies({"instrument": "MADRS"}) and not remitters.applies({})


def test_malformed_population_condition_refused_naming_the_group() -> None:
    resource = copy.deepcopy(published_measures()["efficacy"])
    group = next(g for g in resource["group"] if g["id"] == "remitters-12")
    for extension in group["extension"]:
        if extension["url"].endswith("population-condition"):
            extension["valueString"] = "instrument"
    with pytest.raises(ConfigError, match="remitters-12: population-condition"):
        parse_measure(resource)


def test_catalogue_declares_nested_populations_and_their_nested_strata() -> None:
    catalogue = load_catalogue()
    assert catalogue["discontinuations"].nesting == (
        ("discontinued", "treated-patients", frozenset({"drug", "route"})),
    )
    # Events' drug and route come from the attributed administration, not the index: totals only.
    assert catalogue["adverse-events"].nesting == (
        ("patients-with-event", "treated-patients", frozenset()),
    )
    efficacy = {child: parent for child, parent, _ in catalogue["efficacy"].nesting}
    assert efficacy == {
        "denominator": "initial-population",
        "responders": "denominator",
        "remitters": "remitters-12",
        "remitters-12": "denominator",
    }
    assert catalogue["treated-patients"].nesting == ()


def test_subset_of_an_unknown_population_is_refused_naming_the_group() -> None:
    resource = copy.deepcopy(published_measures()["discontinuations"])
    group = next(g for g in resource["group"] if g["id"] == "discontinued")
    for extension in group["extension"]:
        if extension["url"].endswith("population-subset-of"):
            extension["extension"][0]["valueCode"] = "nobody"
    with pytest.raises(ConfigError, match="discontinued: population-subset-of names nobody"):
        parse_measure(resource)

"""``MeasureAnswer`` ⇄ FHIR ``MeasureReport``: valid R4B, lossless round trip, malformed refused."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from fhir.resources.R4B.measurereport import MeasureReport

from app.errors import InputError
from app.exchange.answer import Cell, DisclosurePolicy, MeasureAnswer, PopulationResult
from app.exchange.measure_report import from_measure_report, to_measure_report

ANSWER = MeasureAnswer(
    measure="adverse-events",
    version="1",
    period_start=date(2024, 1, 1),
    period_end=date(2024, 12, 31),
    populations=[
        PopulationResult(
            "events",
            Cell(120, ("noised", "rounded")),
            {
                "drug": {
                    "ketamine": Cell(80, ("noised", "rounded")),
                    "arketamine": Cell(None, ("noised", "small-cell")),
                    "esketamine": Cell(None, ("noised", "complementary")),
                },
                "event": {},
            },
            overlapping=frozenset({"drug"}),
        ),
        PopulationResult(
            "patients-with-event", Cell(None, ("small-cell",)), {"drug": {"iv": Cell(0)}}
        ),
        PopulationResult("treated-patients", Cell(4000), {}),
    ],
    policy=DisclosurePolicy(min_cell=15, mask_zero=True, rounding=5, epsilon=0.5),
    country="NO",
    node_id="no",
    data_as_of="2026-11-20T08:00:00Z",
    strata_overlap={"drug": True, "event": False},
    noise_scale={"events": 12.0, "patients-with-event": 12.0},
    generated_at="2026-11-21T10:00:00+00:00",
)


def test_to_measure_report_validates_as_fhir_r4b_measure_report() -> None:
    report = to_measure_report(ANSWER)
    MeasureReport.model_validate(report)
    assert report["measure"] == "https://ketanet.org/fhir/Measure/adverse-events|1"
    assert report["reporter"] == {"display": "NO"}
    assert (report["status"], report["type"]) == ("complete", "summary")


def test_to_measure_report_labels_masked_count_with_data_absent_reason() -> None:
    report = to_measure_report(ANSWER)
    masked = report["group"][0]["stratifier"][0]["stratum"][1]["population"][0]
    assert "count" not in masked
    assert masked["_count"]["extension"] == [
        {
            "url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
            "valueCode": "masked",
        },
        {
            "url": "https://ketanet.org/fhir/StructureDefinition/cell-disclosure",
            "valueCode": "noised",
        },
        {
            "url": "https://ketanet.org/fhir/StructureDefinition/cell-disclosure",
            "valueCode": "small-cell",
        },
    ]
    untouched = report["group"][2]["population"][0]
    assert untouched["count"] == 4000 and "_count" not in untouched
    policy = report["extension"][0]
    assert policy["url"] == "https://ketanet.org/fhir/StructureDefinition/disclosure-policy"
    assert {part["url"] for part in policy["extension"]} == {
        "min-cell",
        "mask-zero",
        "rounding",
        "epsilon",
    }


def test_from_measure_report_reads_back_the_same_answer() -> None:
    assert from_measure_report(to_measure_report(ANSWER)) == ANSWER


def _break(path: list[Any], value: Any) -> dict[str, Any]:
    report = copy.deepcopy(to_measure_report(ANSWER))
    target: Any = report
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return report


@pytest.mark.parametrize(
    "report",
    [
        _break(["resourceType"], "Measure"),
        _break(["measure"], "https://ketanet.org/fhir/Measure/adverse-events"),
        _break(["period", "start"], "2024-13-01"),
        _break(["extension"], []),
        _break(["group", 2, "population", 0, "count"], -1),
        _break(["group", 2, "population", 0, "count"], "12"),
        _break(["group", 1, "population", 0, "_count"], KeyError),
        _break(["group", 0, "population", 0, "_count", "extension", 0, "valueCode"], "guessed"),
        _break(["group", 0, "stratifier", 0, "stratum", 0, "value"], {}),
        _break(["group", 0, "stratifier", 0, "code"], []),
        _break(["group", 0, "population"], []),
        _break(["group", 0, "extension", 0, "valueDecimal"], "wide"),
        _break(["group"], {"not": "a list"}),
        "not a report",
    ],
)
def test_from_measure_report_refuses_malformed_report(report: Any) -> None:
    with pytest.raises(InputError, match="MeasureReport"):
        from_measure_report(report)

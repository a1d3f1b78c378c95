"""The registry's CodeSystem and ValueSet resources, for the node to serve and vendors to read."""

from __future__ import annotations

from typing import Any

from app.profiles.codes import (
    AE_SERIOUSNESS,
    AE_SEVERITY,
    CODE_SYSTEMS,
    GENDER,
    ICD10,
    KETANET_CS,
    KETANET_VS,
    UCUM,
)

VERSION = "1"
PUBLISHER = "KetaNet"


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def code_systems() -> list[dict[str, Any]]:
    """Return the KetaNet CodeSystem resources (complete content, one per code system)."""
    return [
        {
            "resourceType": "CodeSystem",
            "id": name,
            "url": KETANET_CS + name,
            "version": VERSION,
            "name": "KetaNet" + _camel(name),
            "title": title,
            "status": "active",
            "publisher": PUBLISHER,
            "caseSensitive": True,
            "valueSet": KETANET_VS + name,
            "content": "complete",
            "count": len(concepts),
            "concept": [{"code": code, "display": display} for code, display in concepts.items()],
        }
        for name, (title, concepts) in CODE_SYSTEMS.items()
    ]


def _value_set(name: str, title: str, include: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resourceType": "ValueSet",
        "id": name,
        "url": KETANET_VS + name,
        "version": VERSION,
        "name": "KetaNet" + _camel(name),
        "title": title,
        "status": "active",
        "publisher": PUBLISHER,
        "compose": {"include": include},
    }


def _listed(system: str, codes: list[str]) -> list[dict[str, Any]]:
    return [{"system": system, "concept": [{"code": code} for code in codes]}]


def value_sets() -> list[dict[str, Any]]:
    """Return the ValueSet resources the registry enforces, one per coded element."""
    sets = [
        _value_set(name, title, [{"system": KETANET_CS + name}])
        for name, (title, _concepts) in CODE_SYSTEMS.items()
    ]
    sets += [
        _value_set("sex", "KetaNet sex", _listed(GENDER, ["male", "female", "other", "unknown"])),
        _value_set(
            "adverse-event-severity",
            "KetaNet adverse event severity",
            _listed(AE_SEVERITY, ["mild", "moderate", "severe"]),
        ),
        _value_set(
            "adverse-event-seriousness",
            "KetaNet adverse event seriousness",
            _listed(AE_SERIOUSNESS, ["serious", "non-serious"]),
        ),
        _value_set(
            "observation-unit",
            "KetaNet observation units",
            _listed(UCUM, ["{score}", "mm[Hg]", "/min", "U/L"]),
        ),
        _value_set(
            "diagnosis",
            "KetaNet diagnoses (ICD-10 F32.x, F33.x, F31.x)",
            # Filters inside one include are ANDed, so each chapter has its own include.
            [
                {"system": ICD10, "filter": [{"property": "concept", "op": "is-a", "value": code}]}
                for code in ("F32", "F33", "F31")
            ],
        ),
    ]
    sets += prem_answer_value_sets()
    return sets


def prem_answer_value_sets() -> list[dict[str, Any]]:
    """Return the ValueSets of PREM answers, one per answer kind (the Questionnaire binds them)."""
    answers = KETANET_CS + "prem-answer"
    likert = ["1", "2", "3", "4", "5"]
    none = {"system": answers, "concept": [{"code": "none"}]}
    return [
        _value_set("prem-extent", "KetaNet PREM answers: extent 1..5", _listed(answers, likert)),
        _value_set(
            "prem-agreement", "KetaNet PREM answers: agreement 1..5", _listed(answers, likert)
        ),
        _value_set(
            "prem-would-continue",
            "KetaNet PREM answers: yes, no, unsure",
            _listed(answers, ["yes", "no", "unsure"]),
        ),
        _value_set(
            "prem-troubling-effect",
            "KetaNet PREM answers: an adverse event, or none",
            [{"system": KETANET_CS + "adverse-event"}, none],
        ),
        _value_set(
            "prem-stopping-reason",
            "KetaNet PREM answers: a discontinuation reason, or none",
            [{"system": KETANET_CS + "discontinuation-reason"}, none],
        ),
    ]

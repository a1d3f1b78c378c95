"""Measure versions follow their definitions: the ledger catches a definition changed in place."""

from __future__ import annotations

import copy
from pathlib import Path

import orjson
import pytest

from app.catalogue import published_measures
from app.catalogue.versions import (
    definition_digest,
    record_versions,
    recorded_versions,
    version_problems,
)


def test_every_published_measure_version_is_recorded_with_its_definition() -> None:
    # On failure: give the changed Measure a new version, then run
    # ``python -c "from app.catalogue.versions import record_versions; record_versions()"``.
    assert version_problems() == []
    assert set(recorded_versions()) == set(published_measures())


def test_a_definition_changed_without_a_new_version_is_caught() -> None:
    measures = copy.deepcopy(published_measures())
    changed = measures["safety-signals"]
    parameter = next(e for e in changed["extension"] if "measure-parameter" in e["url"])
    default = next(sub for sub in parameter["extension"] if sub["url"] == "default")
    default["valueDecimal"] = 45  # alt-uln 40 → 45 changes what is counted
    assert version_problems(measures) == [
        "safety-signals: the definition changed but its version is still 1"
    ]
    changed["version"] = "2"
    assert version_problems(measures) == ["safety-signals: version 2 is not recorded"]
    ledger = copy.deepcopy(recorded_versions())
    ledger["safety-signals"]["2"] = definition_digest(changed)
    assert version_problems(measures, ledger) == []


def test_the_digest_ignores_only_the_version() -> None:
    resource = copy.deepcopy(published_measures()["review-intervals"])
    digest = definition_digest(resource)
    resource["version"] = "7"
    assert definition_digest(resource) == digest
    resource["group"][0]["description"] += "."
    assert definition_digest(resource) != digest


def test_recording_refuses_to_rewrite_a_recorded_version(tmp_path: Path) -> None:
    ledger = tmp_path / "versions.json"
    first = record_versions(ledger)
    assert first == recorded_versions()
    tampered = copy.deepcopy(first)
    tampered["efficacy"]["1"] = "0" * 64
    ledger.write_bytes(orjson.dumps(tampered))
    with pytest.raises(ValueError, match="efficacy: version 1 has another definition"):
        record_versions(ledger)

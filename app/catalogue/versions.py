"""Measure versions follow their definitions: a ledger of (version → definition digest) per measure.

A node's answer carries the measure's version, and the hub pools only answers of one version, so
a definition that changes under an unchanged version would pool two different things under one
name. ``schemas/measure-versions.json`` records, for every measure, the digest of each version's
definition (the published resource without its ``version``); the tests compare the catalogue with
it, so changing a definition without a new version (or a new version without recording it) fails.
Record the current catalogue after a deliberate change with ``record_versions()``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson

from app.catalogue.loader import published_measures
from app.package_data import data_path

LEDGER = "schemas/measure-versions.json"


def definition_digest(resource: dict[str, Any]) -> str:
    """Return the SHA-256 (hex) of a Measure's definition: the resource without ``version``."""
    definition = {key: value for key, value in resource.items() if key != "version"}
    return hashlib.sha256(orjson.dumps(definition, option=orjson.OPT_SORT_KEYS)).hexdigest()


def recorded_versions() -> dict[str, dict[str, str]]:
    """Return the ledger: measure id → {version: definition digest}."""
    loaded: dict[str, dict[str, str]] = orjson.loads(data_path(LEDGER).read_bytes())
    return loaded


def version_problems(
    measures: dict[str, dict[str, Any]] | None = None,
    ledger: dict[str, dict[str, str]] | None = None,
) -> list[str]:
    """Return, per measure whose definition and version disagree with the ledger, why.

    ``measures`` and ``ledger`` default to the published catalogue and the shipped ledger.
    """
    ledger = recorded_versions() if ledger is None else ledger
    measures = published_measures() if measures is None else measures
    problems = []
    for measure_id, resource in measures.items():
        digest, version = definition_digest(resource), resource["version"]
        history = ledger.get(measure_id, {})
        if version not in history:
            problems.append(f"{measure_id}: version {version} is not recorded")
        elif history[version] != digest:
            problems.append(
                f"{measure_id}: the definition changed but its version is still {version}"
            )
    return problems


def record_versions(ledger_path: Path | None = None) -> dict[str, dict[str, str]]:
    """Add the catalogue's current (version, digest) pairs to the ledger file; return the ledger.

    Raises ``ValueError`` when a recorded version would get another digest (bump it instead).
    """
    path = ledger_path or data_path(LEDGER)
    ledger: dict[str, dict[str, str]] = orjson.loads(path.read_bytes()) if path.exists() else {}
    for measure_id, resource in published_measures().items():
        history = ledger.setdefault(measure_id, {})
        digest = definition_digest(resource)
        if history.get(resource["version"], digest) != digest:
            raise ValueError(f"{measure_id}: version {resource['version']} has another definition")
        history[resource["version"]] = digest
    path.write_bytes(
        orjson.dumps(ledger, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    )
    return ledger

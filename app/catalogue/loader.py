"""The published catalogue: the FHIR ``Measure`` resources in ``schemas/measures/``, read once.

``published_measures`` gives the resources as published (the node serves them, the hub lists
them); ``load_catalogue`` gives the same resources parsed into definitions (validation,
evaluation, zero-filled strata and noise sensitivities read those).
"""

from __future__ import annotations

import functools
from typing import Any

import orjson

from app.catalogue.definitions import MeasureDefinition
from app.catalogue.parse import parse_measure
from app.package_data import data_path


@functools.cache
def published_measures() -> dict[str, dict[str, Any]]:
    """Return the catalogue's FHIR ``Measure`` resources by id, in file-name order.

    Raises ``FileNotFoundError`` when the catalogue is not installed.
    """
    folder = data_path("schemas/measures")
    measures = (orjson.loads(path.read_bytes()) for path in sorted(folder.glob("*.json")))
    return {measure["id"]: measure for measure in measures}


@functools.cache
def load_catalogue() -> dict[str, MeasureDefinition]:
    """Return the catalogue's definitions by measure id; raises ``ConfigError`` on a bad resource."""
    return {measure_id: parse_measure(r) for measure_id, r in published_measures().items()}

"""The published measure catalogue: the FHIR ``Measure`` resources in ``schemas/measures/``.

Node (serves them) and hub (checks queries against them) read the same files through this one
loader; ``app.measures.catalogue`` parses the same resources into evaluation specs.
"""

from __future__ import annotations

import functools
from typing import Any

import orjson

from app.package_data import data_path


@functools.cache
def published_measures() -> dict[str, dict[str, Any]]:
    """Return the catalogue's FHIR ``Measure`` resources by id, in file-name order."""
    folder = data_path("schemas/measures")
    measures = (orjson.loads(path.read_bytes()) for path in sorted(folder.glob("*.json")))
    return {measure["id"]: measure for measure in measures}

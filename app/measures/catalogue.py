"""The measure catalogue, read from the FHIR ``Measure`` resources shipped in ``schemas/measures/``.

Each ``Measure`` lists its populations (one ``group`` each) with the stratifiers that apply to them,
and, in KetaNet extensions, the filters and parameters it takes with their allowed values. The JSON
is the single source: validation, zero-filled strata and noise sensitivities all read it here.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any, Literal

from app.package_data import data_path

SD = "https://ketanet.org/fhir/StructureDefinition/"
PERIOD_YEARS = None
"""Marker for a stratifier whose values are the calendar years of the query period."""


@dataclass(frozen=True)
class StratifierSpec:
    """A stratifier of one population: its values (``None`` = period years) and overlap."""

    id: str
    values: tuple[str, ...] | None
    overlap: bool


@dataclass(frozen=True)
class PopulationSpec:
    """A population: counted unit, applicable stratifiers and an optional parameter condition."""

    id: str
    unit: Literal["patient", "record"]
    stratifiers: dict[str, StratifierSpec]
    condition: tuple[str, str] | None = None

    def applies(self, parameters: dict[str, str | float]) -> bool:
        """Return True when the population is part of an answer with these parameters."""
        return self.condition is None or parameters.get(self.condition[0]) == self.condition[1]


@dataclass(frozen=True)
class ParameterSpec:
    """A measure parameter: value type, whether required, allowed codes and default."""

    name: str
    kind: Literal["code", "decimal"]
    required: bool
    values: tuple[str, ...] = ()
    default: float | None = None


@dataclass(frozen=True)
class MeasureDefinition:
    """One catalogue measure."""

    id: str
    version: str
    populations: tuple[PopulationSpec, ...]
    filters: dict[str, tuple[str, ...]]
    parameters: dict[str, ParameterSpec]

    @property
    def stratifiers(self) -> tuple[str, ...]:
        """Return every stratifier some population of the measure takes, in catalogue order."""
        seen: dict[str, None] = {}
        for population in self.populations:
            seen.update(dict.fromkeys(population.stratifiers))
        return tuple(seen)


@functools.cache
def load_catalogue() -> dict[str, MeasureDefinition]:
    """Return the catalogue by measure id; raises ``FileNotFoundError`` when not installed."""
    folder = data_path("schemas/measures")
    measures = [_measure(json.loads(p.read_text("utf-8"))) for p in sorted(folder.glob("*.json"))]
    return {measure.id: measure for measure in measures}


def _measure(resource: dict[str, Any]) -> MeasureDefinition:
    extensions = resource.get("extension", [])
    filters = {
        _sub(ext, "key")[0]: tuple(_sub(ext, "value"))
        for ext in extensions
        if ext["url"] == SD + "measure-filter"
    }
    parameters = {}
    for ext in extensions:
        if ext["url"] != SD + "measure-parameter":
            continue
        name = _sub(ext, "name")[0]
        defaults = _sub(ext, "default")
        parameters[name] = ParameterSpec(
            name=name,
            kind=_sub(ext, "type")[0],
            required=bool(_sub(ext, "required")[0]),
            values=tuple(_sub(ext, "value")),
            default=float(defaults[0]) if defaults else None,
        )
    return MeasureDefinition(
        id=resource["id"],
        version=resource["version"],
        populations=tuple(_population(group) for group in resource["group"]),
        filters=filters,
        parameters=parameters,
    )


def _population(group: dict[str, Any]) -> PopulationSpec:
    extensions = group.get("extension", [])
    unit = next(e["valueCode"] for e in extensions if e["url"] == SD + "population-unit")
    condition = next(
        (e["valueString"] for e in extensions if e["url"] == SD + "population-condition"), None
    )
    stratifiers = {}
    for entry in group.get("stratifier", []):
        stratifier_id = entry["code"]["coding"][0]["code"]
        ext = entry.get("extension", [])
        period_years = any(e["url"] == SD + "stratifier-domain" for e in ext)
        values = tuple(e["valueCode"] for e in ext if e["url"] == SD + "stratifier-value")
        overlap = any(e.get("valueBoolean") for e in ext if e["url"] == SD + "strata-overlap")
        stratifiers[stratifier_id] = StratifierSpec(
            id=stratifier_id, values=PERIOD_YEARS if period_years else values, overlap=overlap
        )
    return PopulationSpec(
        id=group["id"],
        unit=unit,
        stratifiers=stratifiers,
        condition=tuple(condition.split("=", 1)) if condition else None,  # type: ignore[arg-type]
    )


def _sub(extension: dict[str, Any], url: str) -> list[Any]:
    """Return the values of the sub-extensions of ``extension`` named ``url``."""
    return [
        next(value for key, value in sub.items() if key.startswith("value"))
        for sub in extension.get("extension", [])
        if sub["url"] == url
    ]

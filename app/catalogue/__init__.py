"""The measure catalogue, shared by node and hub: ``schemas/measures/*.json``, read once.

``published_measures`` (the FHIR ``Measure`` resources as published), ``load_catalogue`` (the same
parsed into ``MeasureDefinition``s) and ``validate_query`` (a ``MeasureQuery`` checked against them
and returned in normal form). Pure: no web framework, no database, no record-level code.
"""

from app.catalogue.definitions import (
    PERIOD_YEARS,
    MeasureDefinition,
    ParameterSpec,
    PopulationSpec,
    StratifierSpec,
)
from app.catalogue.loader import load_catalogue, published_measures
from app.catalogue.validation import validate_query

__all__ = [
    "PERIOD_YEARS",
    "MeasureDefinition",
    "ParameterSpec",
    "PopulationSpec",
    "StratifierSpec",
    "load_catalogue",
    "published_measures",
    "validate_query",
]

"""Measures: the catalogue of ``schemas/measures/`` and its evaluation as SQL aggregates.

``validate_query`` checks a query against the catalogue; ``evaluate_measure`` counts every
population and one-way stratum in the database (SQLite or PostgreSQL, same SQL, same numbers).
"""

from app.measures.catalogue import MeasureDefinition, PopulationSpec, load_catalogue
from app.measures.evaluate import evaluate_measure
from app.measures.releases import (
    answered_populations,
    overlapping_by_population,
    release_sensitivities,
    strata_count,
    strata_overlap,
    stratum_values,
)
from app.measures.validation import validate_query

__all__ = [
    "MeasureDefinition",
    "PopulationSpec",
    "answered_populations",
    "evaluate_measure",
    "load_catalogue",
    "overlapping_by_population",
    "release_sensitivities",
    "strata_count",
    "strata_overlap",
    "stratum_values",
    "validate_query",
]

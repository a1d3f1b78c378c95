"""Measures: the catalogue's measures evaluated as SQL aggregates.

``evaluate_measure`` counts every population and one-way stratum in the database (SQLite or
PostgreSQL, same SQL, same numbers) for a query in normal form. The catalogue itself and
``validate_query`` live in ``app.catalogue`` (shared with the hub) and are re-exported here.
"""

from app.catalogue import MeasureDefinition, PopulationSpec, load_catalogue, validate_query
from app.measures.evaluate import evaluate_measure, evaluate_with_members
from app.measures.members import BucketSums
from app.measures.overlap import treated_patient_tokens
from app.measures.releases import (
    answered_populations,
    overlapping_by_population,
    release_sensitivities,
    strata_count,
    strata_overlap,
    stratum_values,
)

__all__ = [
    "BucketSums",
    "MeasureDefinition",
    "PopulationSpec",
    "answered_populations",
    "evaluate_measure",
    "evaluate_with_members",
    "load_catalogue",
    "overlapping_by_population",
    "release_sensitivities",
    "strata_count",
    "strata_overlap",
    "stratum_values",
    "treated_patient_tokens",
    "validate_query",
]

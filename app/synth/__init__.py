"""Synthetic national registry exports (reference CSV and FHIR R4 Bulk NDJSON) for demos and tests.

``write_synthetic_export`` streams a deterministic export for (country, patients, seed) patient by
patient: ``generator`` draws each patient's identity, courses (``courses``), adverse events
(``safety``), observations (``outcomes``) and take-home dispenses (``dispensing``) from a country
profile (``countries``); ``csv_export`` and ``fhir_export`` write them.
"""

from app.synth.export import ExportFormat, SynthSummary, write_synthetic_export

__all__ = ["ExportFormat", "SynthSummary", "write_synthetic_export"]

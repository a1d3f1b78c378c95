"""Synthetic national registry exports (reference CSV and FHIR R4 Bulk NDJSON) for demos and tests.

``write_synthetic_export`` streams a deterministic export for (country, patients, seed) patient by
patient: ``generator`` draws each patient's identity, courses (``courses``), adverse events
(``safety``), observations (``outcomes``) and take-home dispenses (``dispensing``) from a country
profile (``countries``); ``csv_export`` and ``fhir_export`` write them. With ``TravellerOptions``
some patients come from a traveller pool shared by every export of a network (``travellers``):
the same people, treated in several countries.
"""

from app.synth.export import ExportFormat, SynthSummary, write_synthetic_export
from app.synth.travellers import TravellerOptions

__all__ = ["ExportFormat", "SynthSummary", "TravellerOptions", "write_synthetic_export"]

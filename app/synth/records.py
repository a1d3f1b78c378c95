"""Row types of a synthetic registry export, one per reference-export file.

The fields of each row type are the reference CSV columns in their order (docs/dataset.md), so a
row can be written to CSV as it is; ``None`` stands for a blank optional value. Instants are
ISO 8601 strings with the local UTC offset of the country's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


class PatientRow(NamedTuple):
    """A line of ``patients.csv``."""

    patient_id: str
    national_id: str | None
    family_name: str
    given_name: str | None
    birth_date: str
    sex: str
    postal_code: str | None
    diagnosis: str
    failed_trials: int | None
    substance_use_history: str | None
    psychosis_history: str | None


class AdministrationRow(NamedTuple):
    """A line of ``administrations.csv``."""

    administration_id: str
    patient_id: str
    administered_at: str
    drug: str
    route: str
    dose_mg: float
    weight_kg: float | None
    setting: str
    lot_number: str | None


class DispenseRow(NamedTuple):
    """A line of ``dispenses.csv``."""

    dispense_id: str
    patient_id: str
    dispensed_at: str
    drug: str
    route: str
    quantity_mg: float
    days_supply: int


class ObservationRow(NamedTuple):
    """A line of ``observations.csv`` (``unit`` is blank for scores)."""

    observation_id: str
    patient_id: str
    observed_at: str
    code: str
    value: float
    unit: str | None


class AdverseEventRow(NamedTuple):
    """A line of ``adverse_events.csv``."""

    event_id: str
    patient_id: str
    onset_at: str
    event: str
    severity: str
    serious: str
    outcome: str
    administration_id: str | None


class DiscontinuationRow(NamedTuple):
    """A line of ``discontinuations.csv`` (first three fields) plus what FHIR needs besides."""

    patient_id: str
    stopped_at: str
    reason: str
    sequence: int
    drug: str
    route: str


class ReviewRow(NamedTuple):
    """A line of ``reviews.csv``: a prescriber review of the treatment."""

    review_id: str
    patient_id: str
    reviewed_at: str


CSV_FILES: dict[str, tuple[str, ...]] = {
    "patients.csv": PatientRow._fields,
    "administrations.csv": AdministrationRow._fields,
    "dispenses.csv": DispenseRow._fields,
    "observations.csv": ObservationRow._fields,
    "adverse_events.csv": AdverseEventRow._fields,
    "discontinuations.csv": DiscontinuationRow._fields[:3],
    "reviews.csv": ("review_id", "patient_id", "reviewed_at"),
    "experience.csv": ("response_id", "patient_id", "completed_at", "item", "answer"),
    "consents.csv": ("consent_id", "patient_id", "recorded_at", "kind"),
}


@dataclass(slots=True)
class PatientBundle:
    """Everything one synthetic patient contributes to the export."""

    patient: PatientRow
    administrations: list[AdministrationRow] = field(default_factory=list)
    dispenses: list[DispenseRow] = field(default_factory=list)
    observations: list[ObservationRow] = field(default_factory=list)
    adverse_events: list[AdverseEventRow] = field(default_factory=list)
    discontinuations: list[DiscontinuationRow] = field(default_factory=list)
    reviews: list[ReviewRow] = field(default_factory=list)
    pool_index: int | None = None
    """The traveller-pool member this patient is (None for a patient of this country alone)."""
    experience: list[Any] = field(default_factory=list)
    """PREM answers (``app.synth.experience.ExperienceRow``)."""
    consents: list[Any] = field(default_factory=list)
    """Consent records (``app.synth.experience.ConsentRow``)."""

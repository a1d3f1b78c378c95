"""The registry's minimum dataset: record kinds, their fields, types, value sets and ranges.

This is the contract the other ingest stages are composed around: the mapping may only fill these
fields, de-identification applies each field's ``deid`` action (anything else is dropped) and the
validator enforces value sets and ranges. Instants are UTC epoch seconds, stored as ``at_s`` and
``day``. Plain data, no FHIR library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal["id", "code", "int", "decimal", "instant", "year", "yesno", "text"]
DeidAction = Literal["keep", "pseudonymise", "year", "derive", "link"]


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field of a registry record as the mapping fills it and the validator checks it."""

    name: str
    type: FieldType
    required: bool = True
    value_set: str | None = None
    minimum: float | None = None
    exclusive_minimum: bool = False
    maximum: float | None = None
    unit: str | None = None
    """Unit the value is stored in; the mapping converts from the source's unit."""
    deid: DeidAction = "keep"
    domain: str | None = None
    """Pseudonym domain (the record kind the identifier names) for ``pseudonymise``/``derive``."""
    derive_from: tuple[str, ...] = ()
    """For ``derive``: the fields whose de-identified values make the pseudonym."""


def _id(kind: str) -> FieldDef:
    return FieldDef("id", "id", deid="pseudonymise", domain=kind)


def _patient_ref() -> FieldDef:
    return FieldDef("patient_id", "id", deid="pseudonymise", domain="patient")


RECORD_FIELDS: dict[str, tuple[FieldDef, ...]] = {
    "patient": (
        _id("patient"),
        FieldDef("birth_year", "year", deid="year", minimum=1900, maximum=2100),
        FieldDef("sex", "code", value_set="sex"),
        FieldDef("diagnosis", "code", value_set="diagnosis"),
        FieldDef("failed_trials", "int", required=False, minimum=0, maximum=99),
        FieldDef("substance_use_history", "code", required=False, value_set="history"),
        FieldDef("psychosis_history", "code", required=False, value_set="history"),
        # Read only to compute the linkage token (with the birth date and sex), then dropped:
        # no name ever reaches the store (docs/overlap.md).
        FieldDef("family_name", "text", required=False, deid="link"),
        FieldDef("given_name", "text", required=False, deid="link"),
    ),
    "administration": (
        _id("administration"),
        _patient_ref(),
        FieldDef("administered_at", "instant"),
        FieldDef("drug", "code", value_set="drug"),
        FieldDef("route", "code", value_set="route"),
        FieldDef(
            "dose_mg", "decimal", minimum=0, exclusive_minimum=True, maximum=10_000, unit="mg"
        ),
        FieldDef(
            "weight_kg",
            "decimal",
            required=False,
            minimum=0,
            exclusive_minimum=True,
            maximum=700,
            unit="kg",
        ),
        FieldDef("setting", "code", value_set="setting"),
    ),
    "dispense": (
        _id("dispense"),
        _patient_ref(),
        FieldDef("dispensed_at", "instant"),
        FieldDef("drug", "code", value_set="drug"),
        FieldDef("route", "code", value_set="route"),
        FieldDef(
            "quantity_mg", "decimal", minimum=0, exclusive_minimum=True, maximum=1e6, unit="mg"
        ),
        FieldDef("days_supply", "int", minimum=1, maximum=366),
    ),
    "observation": (
        _id("observation"),
        _patient_ref(),
        FieldDef("observed_at", "instant"),
        FieldDef("code", "code", value_set="observation"),
        FieldDef("value", "decimal"),
        FieldDef("unit", "code", required=False, value_set="observation-unit"),
    ),
    "adverse_event": (
        _id("adverse_event"),
        _patient_ref(),
        FieldDef("onset_at", "instant"),
        FieldDef("event", "code", value_set="adverse-event"),
        FieldDef("severity", "code", value_set="adverse-event-severity"),
        FieldDef("serious", "yesno", value_set="yes-no"),
        FieldDef("outcome", "code", value_set="adverse-event-outcome"),
        FieldDef(
            "administration_id",
            "id",
            required=False,
            deid="pseudonymise",
            domain="administration",
        ),
    ),
    "discontinuation": (
        FieldDef(
            "id",
            "id",
            deid="derive",
            domain="discontinuation",
            derive_from=("patient_id", "stopped_at"),
        ),
        _patient_ref(),
        FieldDef("stopped_at", "instant"),
        FieldDef("reason", "code", value_set="discontinuation-reason"),
    ),
    # One answered PREM item; the id is derived from (response, item), so a response answers an
    # item once. The answer's value set depends on the item (``app.profiles.prem``).
    "experience": (
        FieldDef(
            "id", "id", deid="derive", domain="experience", derive_from=("response_id", "item")
        ),
        FieldDef("response_id", "id", deid="pseudonymise", domain="questionnaire_response"),
        _patient_ref(),
        FieldDef("completed_at", "instant"),
        FieldDef("item", "code", value_set="prem-item"),
        FieldDef("answer", "code"),
    ),
    "consent": (
        _id("consent"),
        _patient_ref(),
        FieldDef("recorded_at", "instant"),
        FieldDef("kind", "code", value_set="consent-kind"),
    ),
    "review": (
        _id("review"),
        _patient_ref(),
        FieldDef("reviewed_at", "instant"),
    ),
}
"""Record kinds in dependency order (patients first), each with its fields."""

RECORD_KINDS: tuple[str, ...] = tuple(RECORD_FIELDS)

OBSERVATION_RANGES: dict[str, tuple[float, float]] = {
    "PHQ9": (0, 27),
    "MADRS": (0, 60),
    "HAMD17": (0, 52),
    "QIDSSR16": (0, 27),
    "CADSS": (0, 92),
    "SBP": (0, 400),
    "DBP": (0, 300),
    "HR": (0, 400),
    "ALT": (0, 100_000),
    "AST": (0, 100_000),
    "BPICSS": (0, 38),
}
"""Plausible closed range of an observation value per code (scores: CODES.md)."""

OBSERVATION_UNITS: dict[str, str] = {
    "PHQ9": "{score}",
    "MADRS": "{score}",
    "HAMD17": "{score}",
    "QIDSSR16": "{score}",
    "CADSS": "{score}",
    "SBP": "mm[Hg]",
    "DBP": "mm[Hg]",
    "HR": "/min",
    "ALT": "U/L",
    "AST": "U/L",
    "BPICSS": "{score}",
}
"""The UCUM unit each observation is stored in (a source giving another unit is rejected)."""


def field_def(kind: str, name: str) -> FieldDef:
    """Return the definition of field ``name`` of ``kind``; raises ``KeyError`` when unknown."""
    for definition in RECORD_FIELDS[kind]:
        if definition.name == name:
            return definition
    raise KeyError(name)

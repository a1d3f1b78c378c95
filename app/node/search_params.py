"""FHIR search parameters of record-level search as SQL conditions.

``patient``, ``date`` and ``code`` (``event`` on AdverseEvent, its R4 name) on clinical records;
``gender`` and ``birthdate`` (year precision: the node keeps birth years only) on Patient. Token
values may carry a system: the KetaNet code system, or a standard one (ICD-10, ATC, SNOMED CT,
LOINC, administrative gender) whose codes map to KetaNet codes; ``system|`` matches every code
of that system.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from sqlalchemy import ColumnElement, Table, and_

from app.errors import InputError
from app.profiles.codes import (
    ATC,
    ESKETAMINE_ATC,
    ESKETAMINE_ATC_OTHER,
    GENDER,
    KETANET_CS,
    STANDARD_CODINGS,
    VALUE_SETS,
)

ICD10 = "http://hl7.org/fhir/sid/icd-10"
_EPOCH = date(1970, 1, 1)
_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")  # ASCII digits only
_PREFIXES = ("eq", "ge", "le", "gt", "lt")

# resource type -> (column the `code` search matches, the KetaNet code system of that column)
CODE_COLUMNS: dict[str, tuple[str, str] | None] = {
    "Patient": None,
    "Condition": ("diagnosis", "icd-10"),
    "MedicationAdministration": ("drug", "drug"),
    "MedicationDispense": ("drug", "drug"),
    "Observation": ("code", "observation"),
    "AdverseEvent": ("event", "adverse-event"),
    "MedicationStatement": ("reason", "discontinuation-reason"),
    "QuestionnaireResponse": ("item", "prem-item"),
    "Consent": ("kind", "consent-kind"),
    "Encounter": None,
}


def _day(value: date) -> int:
    return (value - _EPOCH).days


def date_range(value: str) -> tuple[int, int]:
    """Return the first and last day number of a FHIR date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``)."""
    match = _PARTIAL_DATE.fullmatch(value)
    if match is None:
        raise InputError("date: not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD, optional prefix)")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if month is None:
            return _day(date(year, 1, 1)), _day(date(year, 12, 31))  # type: ignore[arg-type]
        if day is None:
            last = calendar.monthrange(year, month)[1]  # type: ignore[arg-type]
            return _day(date(year, month, 1)), _day(date(year, month, last))  # type: ignore[arg-type]
        return _day(date(year, month, day)), _day(date(year, month, day))  # type: ignore[arg-type]
    except ValueError:
        raise InputError("date: not a real calendar date") from None


SEARCH_PARAMETERS: dict[str, tuple[tuple[str, str], ...]] = {
    "Patient": (("gender", "token"), ("birthdate", "date")),
    "AdverseEvent": (
        ("patient", "reference"),
        ("date", "date"),
        ("code", "token"),
        ("event", "token"),
    ),
}
"""Search parameters (name, FHIR type) per resource type; the others have patient, date, code."""
RECORD_SEARCH = (("patient", "reference"), ("date", "date"), ("code", "token"))


def search_parameters(kind: str) -> tuple[tuple[str, str], ...]:
    """Return the (name, type) of every search parameter ``kind`` supports (the capability list)."""
    return SEARCH_PARAMETERS.get(kind, RECORD_SEARCH)


def _system_codes(system_name: str, system: str) -> list[str]:
    """Return every KetaNet code of a column that a ``system|`` token (no code) stands for."""
    if system == KETANET_CS + system_name:
        return sorted(VALUE_SETS.get(system_name, ()))
    codings = STANDARD_CODINGS.get(system_name, {})
    found = [ketanet for ketanet, pairs in codings.items() if any(c[0] == system for c in pairs)]
    if system_name == "drug" and system == ATC:
        found.append("esketamine")
    return found


def token_codes(system_name: str, value: str) -> list[str]:
    """Return the KetaNet codes a ``[system|]code`` token stands for (none for a foreign system)."""
    if "|" not in value:
        return [value]
    system, code = value.split("|", 1)
    if not code and system:
        return _system_codes(system_name, system)
    if system_name == "sex" and system == GENDER:
        return [code]
    if system in ("", KETANET_CS + system_name) or (system_name == "icd-10" and system == ICD10):
        return [code]
    if (
        system_name == "drug"
        and system == ATC
        and code in {*ESKETAMINE_ATC.values(), ESKETAMINE_ATC_OTHER}
    ):
        return ["esketamine"]
    return [
        ketanet
        for ketanet, codings in STANDARD_CODINGS.get(system_name, {}).items()
        if any(coding[0] == system and coding[1] == code for coding in codings)
    ]


def search_conditions(
    kind: str, table: Table, params: dict[str, list[str]]
) -> list[ColumnElement[bool]]:
    """Translate the supported search parameters to SQL conditions; raises ``InputError``."""
    conditions: list[ColumnElement[bool]] = []
    if kind == "Patient":
        conditions.extend(_patient_conditions(table, params))
    for value in params.get("patient", []):
        if kind == "Patient":
            raise InputError("patient: not a search parameter of Patient")
        conditions.append(table.c.patient_id == value.removeprefix("Patient/"))
    code = CODE_COLUMNS[kind]
    tokens = params.get("code", []) + (params.get("event", []) if kind == "AdverseEvent" else [])
    for value in tokens:
        if code is None:
            raise InputError(f"code: not a search parameter of {kind}")
        codes = [c for token in value.split(",") for c in token_codes(code[1], token)]
        conditions.append(table.c[code[0]].in_(codes))
    for value in params.get("date", []):
        if "day" not in table.c:
            raise InputError(f"date: not a search parameter of {kind}")
        prefix, rest = (value[:2], value[2:]) if value[:2] in _PREFIXES else ("eq", value)
        first, last = date_range(rest)
        column = table.c.day
        conditions.append(
            {
                "eq": and_(column >= first, column <= last),
                "ge": column >= first,
                "gt": column > last,
                "le": column <= last,
                "lt": column < first,
            }[prefix]
        )
    return conditions


def _patient_conditions(table: Table, params: dict[str, list[str]]) -> list[ColumnElement[bool]]:
    """Return the conditions of ``gender`` and ``birthdate`` (years only) on the patient table."""
    conditions: list[ColumnElement[bool]] = []
    for value in params.get("gender", []):
        codes = [c for token in value.split(",") for c in token_codes("sex", token)]
        conditions.append(table.c.sex.in_(codes))
    for value in params.get("birthdate", []):
        prefix, rest = (value[:2], value[2:]) if value[:2] in _PREFIXES else ("eq", value)
        if not re.fullmatch(r"\d{4}", rest):
            raise InputError(
                "birthdate: this node keeps birth years only; search by year (YYYY, optional "
                "prefix eq, ge, gt, le, lt)"
            )
        year = int(rest)
        column = table.c.birth_year
        conditions.append(
            {
                "eq": column == year,
                "ge": column >= year,
                "gt": column > year,
                "le": column <= year,
                "lt": column < year,
            }[prefix]
        )
    return conditions

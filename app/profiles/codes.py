"""The registry's codes (CODES.md): KetaNet code systems, value sets and verified standard codings.

Every coded element carries the KetaNet code; a standard coding is added beside it only where
CODES.md marks it verified (A or B). ``VALUE_SETS`` is what validation enforces: fhir.resources
accepts any code, so membership is checked here.
"""

from __future__ import annotations

import re

KETANET_CS = "https://ketanet.org/fhir/CodeSystem/"
KETANET_VS = "https://ketanet.org/fhir/ValueSet/"
KETANET_SD = "https://ketanet.org/fhir/StructureDefinition/"
ATC = "http://www.whocc.no/atc"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
UCUM = "http://unitsofmeasure.org"
GENDER = "http://hl7.org/fhir/administrative-gender"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"

CODE_SYSTEMS: dict[str, tuple[str, dict[str, str]]] = {
    "drug": (
        "KetaNet drugs",
        {"ketamine": "Ketamine", "esketamine": "Esketamine", "arketamine": "Arketamine"},
    ),
    "route": (
        "KetaNet routes of administration",
        {
            "iv": "Intravenous",
            "im": "Intramuscular",
            "sc": "Subcutaneous",
            "intranasal": "Intranasal",
            "oral": "Oral",
            "sublingual": "Sublingual",
        },
    ),
    "setting": (
        "KetaNet treatment settings",
        {
            "clinic": "Clinic",
            "inpatient": "Inpatient ward",
            "home-supervised": "Home, supervised",
            "home-unsupervised": "Home, unsupervised",
        },
    ),
    "history": (
        "KetaNet history answers",
        {"yes": "Yes", "no": "No", "unknown": "Unknown"},
    ),
    "observation": (
        "KetaNet observations",
        {
            "PHQ9": "PHQ-9 total score",
            "MADRS": "MADRS total score",
            "HAMD17": "HAM-D 17-item total score",
            "QIDSSR16": "QIDS-SR16 total score",
            "CADSS": "CADSS total score",
            "SBP": "Systolic blood pressure",
            "DBP": "Diastolic blood pressure",
            "HR": "Heart rate",
            "ALT": "Alanine aminotransferase",
            "AST": "Aspartate aminotransferase",
            "BPICSS": "BPIC-SS total score",
        },
    ),
    "adverse-event": (
        "KetaNet adverse events",
        {
            code: code.replace("-", " ").capitalize()
            for code in [
                "dissociation",
                "sedation",
                "hypertension",
                "nausea",
                "vomiting",
                "dizziness",
                "headache",
                "cystitis",
                "hepatotoxicity",
                "psychotic-symptoms",
                "mania",
                "cognitive-impairment",
                "suicidal-ideation",
                "suicide-attempt",
                "respiratory-depression",
                "misuse",
                "dependence",
                "diversion",
                "other",
            ]
        },
    ),
    "adverse-event-outcome": (
        "KetaNet adverse event outcomes",
        {
            "recovered": "Recovered",
            "recovering": "Recovering",
            "not-recovered": "Not recovered",
            "recovered-with-sequelae": "Recovered with sequelae",
            "fatal": "Fatal",
            "unknown": "Unknown",
        },
    ),
    "discontinuation-reason": (
        "KetaNet discontinuation reasons",
        {
            code: code.replace("-", " ").capitalize()
            for code in [
                "lack-of-efficacy",
                "relapse",
                "adverse-event",
                "cost",
                "access",
                "patient-choice",
                "remission",
                "misuse-concern",
                "pregnancy",
                "lost-to-follow-up",
                "death",
                "other",
            ]
        },
    ),
    "prem-item": (
        "KetaNet PREM items (patient-reported experience of ketamine treatment)",
        {
            "expectations-met": "Expectations met",
            "informed-benefits": "Informed about benefits",
            "informed-side-effects": "Informed about side effects",
            "informed-alternatives": "Informed about alternatives",
            "experience-acceptable": "Experience acceptable",
            "felt-safe": "Felt safe",
            "side-effect-burden": "Side-effect burden",
            "would-continue": "Would continue",
            "most-troubling-effect": "Most troubling effect",
            "reason-considered-stopping": "Reason considered stopping",
        },
    ),
    "prem-answer": (
        "KetaNet PREM answers (Likert 1..5, yes/no/unsure, none)",
        {
            "1": "1 (not at all / strongly disagree)",
            "2": "2",
            "3": "3",
            "4": "4",
            "5": "5 (completely / strongly agree / very much)",
            "yes": "Yes",
            "no": "No",
            "unsure": "Unsure",
            "none": "None",
        },
    ),
    "consent-kind": (
        "KetaNet consent and information records",
        {
            "written-consent": "Written consent",
            "information-sheet": "Information sheet given",
            "alternatives-discussed": "Licensed alternatives discussed",
        },
    ),
    "encounter-type": (
        "KetaNet encounter types",
        {"prescriber-review": "Prescriber review of the treatment"},
    ),
}
"""KetaNet code systems: name -> (title, {code: display})."""

STANDARD_CODINGS: dict[str, dict[str, tuple[tuple[str, str, str], ...]]] = {
    "drug": {
        "ketamine": ((ATC, "N01AX03", "ketamine"),),
        # Esketamine has two ATC codes; resources choose by route (see esketamine_atc).
    },
    "route": {
        "iv": ((SNOMED, "47625008", "Intravenous route"),),
        "im": ((SNOMED, "78421000", "Intramuscular route"),),
        "sc": ((SNOMED, "34206005", "Subcutaneous route"),),
        "intranasal": ((SNOMED, "46713006", "Nasal route"),),
        "oral": ((SNOMED, "26643006", "Oral route"),),
        "sublingual": ((SNOMED, "37839007", "Sublingual route"),),
    },
    "observation": {
        "PHQ9": ((LOINC, "44261-6", "PHQ-9 total score"),),
        "SBP": ((LOINC, "8480-6", "Systolic blood pressure"),),
        "DBP": ((LOINC, "8462-4", "Diastolic blood pressure"),),
        "HR": ((LOINC, "8867-4", "Heart rate"),),
        "ALT": ((LOINC, "1742-6", "Alanine aminotransferase"),),
    },
    "adverse-event": {
        "suicidal-ideation": ((SNOMED, "6471006", "Suicidal thoughts"),),
        "dizziness": ((SNOMED, "404640003", "Dizziness"),),
        "headache": ((SNOMED, "25064002", "Headache"),),
        "nausea": ((SNOMED, "422587007", "Nausea"),),
        "vomiting": ((SNOMED, "422400008", "Vomiting"),),
        "hypertension": ((SNOMED, "38341003", "Hypertensive disorder"),),
        "psychotic-symptoms": ((SNOMED, "7011001", "Hallucinations"),),
    },
}
"""Verified (A/B) standard codings emitted beside the KetaNet code, per code system and code."""

ESKETAMINE_ATC = {"intranasal": "N06AX27"}
ESKETAMINE_ATC_OTHER = "N01AX14"

AE_OUTCOME_CODES = {
    "recovered": "resolved",
    "recovering": "recovering",
    "not-recovered": "ongoing",
    "recovered-with-sequelae": "resolvedWithSequelae",
    "fatal": "fatal",
    "unknown": "unknown",
}
"""Reference-export outcome word -> FHIR R4 adverse-event-outcome code."""

_DIAGNOSIS = re.compile(r"F3[123](\.[0-9]{1,2})?")

VALUE_SETS: dict[str, frozenset[str]] = {
    **{name: frozenset(concepts) for name, (_title, concepts) in CODE_SYSTEMS.items()},
    "sex": frozenset({"male", "female", "other", "unknown"}),
    "adverse-event-severity": frozenset({"mild", "moderate", "severe"}),
    "yes-no": frozenset({"yes", "no"}),
    "observation-unit": frozenset({"{score}", "mm[Hg]", "/min", "U/L"}),
}
"""Value set name -> allowed codes (``diagnosis`` is a pattern, see ``in_value_set``)."""


def in_value_set(value_set: str, code: str) -> bool:
    """Return True when ``code`` belongs to ``value_set``; raises ``KeyError`` for an unknown set."""
    if value_set == "diagnosis":
        return _DIAGNOSIS.fullmatch(code) is not None
    return code in VALUE_SETS[value_set]


def esketamine_atc(route: str) -> str:
    """Return the esketamine ATC code for ``route`` (nasal use N06AX27, otherwise N01AX14)."""
    return ESKETAMINE_ATC.get(route, ESKETAMINE_ATC_OTHER)

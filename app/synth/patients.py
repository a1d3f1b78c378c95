"""Who the registry's patients are (sex, age, weight, diagnosis, history) and their identity row."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from app.synth.countries import CountryProfile
from app.synth.identities import national_id, person_name, postal_code
from app.synth.records import PatientRow

_SEXES = ("female", "male", "other", "unknown")
_SEX_CUM = (0.65, 0.985, 0.993, 1.0)
_DIAGNOSES = (
    "F33.0", "F33.1", "F33.2", "F33.3", "F32.1", "F32.2", "F32.3", "F32.9", "F31.3", "F31.4",
    "F31.5",
)  # fmt: skip
_DIAGNOSIS_WEIGHTS = (3, 16, 30, 5, 12, 21, 4, 2, 3, 2, 1)
_TRIALS = (None, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
_TRIAL_WEIGHTS = (3, 4, 22, 25, 19, 12, 8, 4, 1.5, 0.8, 0.7)
_HISTORY = (None, "no", "yes", "unknown")


@dataclass(frozen=True, slots=True)
class Person:
    """The clinical facts about a patient that shape their treatment and outcomes."""

    sex: str
    birth: date
    age: int
    weight_kg: float
    diagnosis: str
    failed_trials: int | None
    substance_use_history: str | None
    psychosis_history: str | None

    @property
    def bipolar(self) -> bool:
        """Return whether the diagnosis is bipolar depression (ICD-10 F31)."""
        return self.diagnosis.startswith("F31")


def draw_person(
    rng: random.Random,
    profile: CountryProfile,
    first_day: date,
    *,
    identity: tuple[str, date] | None = None,
) -> Person:
    """Return a patient's sex, age at first treatment, weight, diagnosis and history.

    ``identity`` fixes (sex, birth date) for a patient whose identity is given (a traveller).
    """
    sex = rng.choices(_SEXES, cum_weights=_SEX_CUM)[0]
    roll = rng.random()
    if roll < 0.015:
        age = rng.randint(16, 17)
    elif roll < 0.065:
        age = rng.randint(65, 82)
    else:
        age = min(80, max(18, round(rng.gauss(profile.mean_age, 13.0))))
    birth = first_day - timedelta(days=int(age * 365.25) + rng.randrange(1, 365))
    if identity is not None:
        sex, birth = identity
        age = (
            first_day.year
            - birth.year
            - ((first_day.month, first_day.day) < (birth.month, birth.day))
        )
    mean_kg = {"female": 72.0, "male": 85.0}.get(sex, 78.0)
    diagnosis = rng.choices(_DIAGNOSES, _DIAGNOSIS_WEIGHTS)[0]
    psychosis_weights = (8, 70, 14, 8) if diagnosis.startswith("F31") else (8, 81, 3, 8)
    return Person(
        sex=sex,
        birth=birth,
        age=age,
        weight_kg=round(min(160.0, max(42.0, rng.gauss(mean_kg, 14.0))), 1),
        diagnosis=diagnosis,
        failed_trials=rng.choices(_TRIALS, _TRIAL_WEIGHTS)[0],
        substance_use_history=rng.choices(_HISTORY, (5, 72, 13, 10))[0],
        psychosis_history=rng.choices(_HISTORY, psychosis_weights)[0],
    )


def patient_row(
    rng: random.Random,
    profile: CountryProfile,
    person: Person,
    *,
    patient_id: str,
    index: int,
    salt: int,
) -> PatientRow:
    """Return the patient's line of ``patients.csv`` with invented identifying values."""
    family, given = person_name(rng, profile.identity_style, person.sex)
    return PatientRow(
        patient_id=patient_id,
        national_id=national_id(
            rng, profile.identity_style, index=index, salt=salt, birth=person.birth, sex=person.sex
        ),
        family_name=family,
        given_name=given,
        birth_date=person.birth.isoformat(),
        sex=person.sex,
        postal_code=postal_code(rng, profile.identity_style),
        diagnosis=person.diagnosis,
        failed_trials=person.failed_trials,
        substance_use_history=person.substance_use_history,
        psychosis_history=person.psychosis_history,
    )

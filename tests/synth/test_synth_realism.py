"""Realism of the synthetic cohorts: demographics, rates, case mix, score ranges and time zones."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from app.synth.calibration import PUBLISHED, measured_rates
from app.synth.countries import country_profile
from app.synth.generator import generate_patients
from app.synth.records import PatientBundle

from .exports import instant

SCORE_RANGES = {"PHQ9": (0, 27), "MADRS": (0, 60), "HAMD17": (0, 52), "QIDSSR16": (0, 27)}
SCORE_RANGES |= {"CADSS": (0, 92)}
SCORE_RANGES |= {"BPICSS": (0, 38)}


def _share(counter: Counter[str], key: str) -> float:
    return counter[key] / sum(counter.values())


def test_about_two_thirds_of_patients_are_women(norway: list[PatientBundle]) -> None:
    sexes = Counter(b.patient.sex for b in norway)
    assert 0.60 <= _share(sexes, "female") <= 0.70
    assert set(sexes) == {"female", "male", "other", "unknown"}
    assert sexes["other"] + sexes["unknown"] < 0.04 * len(norway)


def test_ages_are_mostly_adult_with_some_minors_and_elderly(norway: list[PatientBundle]) -> None:
    ages = Counter()
    for b in norway:
        age = instant(b.administrations[0].administered_at).year - int(b.patient.birth_date[:4])
        ages["<18" if age < 18 else "65+" if age >= 65 else "18-64"] += 1
    assert _share(ages, "18-64") > 0.8
    assert 0 < ages["<18"] < 0.05 * len(norway)
    assert 0.03 * len(norway) < ages["65+"] < 0.2 * len(norway)


def test_diagnoses_are_mostly_unipolar_depression(norway: list[PatientBundle]) -> None:
    families = Counter(b.patient.diagnosis[:3] for b in norway)
    assert set(families) == {"F32", "F33", "F31"}
    assert _share(families, "F31") < 0.1
    trials = Counter(b.patient.failed_trials for b in norway)
    assert sum(trials[n] for n in range(2, 7)) > 0.8 * len(norway)


def test_session_reactions_match_the_published_shares_of_patients(
    cohorts: dict[str, list[PatientBundle]],
) -> None:
    # Printed with -rP: each country's share of patients with the reaction beside the trials'.
    for country, bundles in cohorts.items():
        everyone = measured_rates(bundles)
        print(f"{country}: {everyone.patients} patients (every regimen), "
              f"{everyone.events_per_administration:.3f} events per administration, "
              f"{everyone.share_with_any_event:.1%} with any event")  # fmt: skip
        assert everyone.events_per_administration < 0.3  # far fewer events than administrations
        assert 0.6 <= everyone.share_with_any_event <= 0.95  # not everyone has an adverse event
        rates = measured_rates(bundles, regimen=("esketamine", "intranasal"))
        print(f"  intranasal esketamine: {rates.patients} patients")
        assert rates.patients >= 200
        for figure in PUBLISHED:
            measured = rates.share_by_event.get(figure.event, 0.0)
            # 6 points, or 2.5 binomial standard errors where a country has few such patients
            # (Portugal: 273, so one standard error alone is 3 points for dissociation).
            noise = 2.5 * (figure.share * (1 - figure.share) / rates.patients) ** 0.5
            print(f"  {figure.event:14} synthetic {measured:6.1%}  published {figure.share:6.1%}")
            assert abs(measured - figure.share) <= max(0.06, noise), (country, figure.event)


def test_serious_events_are_rare_and_all_grades_occur(norway: list[PatientBundle]) -> None:
    events = [e for b in norway for e in b.adverse_events]
    serious = sum(e.serious == "yes" for e in events)
    assert 0 < serious < 0.02 * len(events)
    assert {e.severity for e in events} == {"mild", "moderate", "severe"}
    assert {"recovered", "recovering", "unknown"} <= {e.outcome for e in events}


def test_case_mix_differs_by_country(cohorts: dict[str, list[PatientBundle]]) -> None:
    mixes = {
        country: Counter(f"{a.drug}-{a.route}" for b in bundles for a in b.administrations)
        for country, bundles in cohorts.items()
    }
    iv = {c: _share(m, "ketamine-iv") for c, m in mixes.items()}
    nasal = {c: _share(m, "esketamine-intranasal") for c, m in mixes.items()}
    home = {c: _share(m, "ketamine-oral") + _share(m, "ketamine-sc") for c, m in mixes.items()}
    assert max(iv, key=iv.__getitem__) == "NO"
    assert max(nasal, key=nasal.__getitem__) == "DE"
    assert max(home, key=home.__getitem__) == "PT"
    assert set(mixes["NO"]) >= {"ketamine-iv", "ketamine-im", "ketamine-sc", "ketamine-oral"}


def test_unknown_countries_get_distinct_reproducible_mixes() -> None:
    assert country_profile("xq") == country_profile("XQ")
    assert country_profile("XQ").regimen_cum_weights != country_profile("XR").regimen_cum_weights
    assert str(country_profile("XQ").time_zone) == "UTC"


@pytest.mark.parametrize(
    ("country", "offsets"),
    [("NO", {"+01:00", "+02:00"}), ("PT", {"+00:00", "+01:00"}), ("XQ", {"+00:00"})],
)
def test_instants_carry_the_country_offset(country: str, offsets: set[str]) -> None:
    seen: set[str] = set()
    for b in generate_patients(country=country, patients=150, seed=2):
        texts = [a.administered_at for a in b.administrations]
        texts += [o.observed_at for o in b.observations] + [e.onset_at for e in b.adverse_events]
        texts += [d.dispensed_at for d in b.dispenses] + [d.stopped_at for d in b.discontinuations]
        seen |= {text[19:] for text in texts}
        assert all(len(text) == 25 and text[10] == "T" for text in texts)
    assert seen == offsets


def test_scores_stay_within_instrument_ranges(norway: list[PatientBundle]) -> None:
    codes = Counter()
    for b in norway:
        for o in b.observations:
            codes[o.code] += 1
            if o.code in SCORE_RANGES:
                low, high = SCORE_RANGES[o.code]
                assert low <= o.value <= high and o.unit is None
            else:
                assert o.unit in {"mm[Hg]", "/min", "U/L"}
    assert set(codes) == {*SCORE_RANGES, "SBP", "DBP", "HR", "ALT", "AST"}
    assert codes["MADRS"] > codes["HAMD17"] and codes["PHQ9"] > codes["QIDSSR16"]


def test_baselines_mostly_fall_in_the_14_days_before_the_first_dose(
    norway: list[PatientBundle],
) -> None:
    inside = outside = 0
    for b in norway:
        first = instant(b.administrations[0].administered_at)
        for o in b.observations:
            if o.code == "MADRS" and instant(o.observed_at) <= first:
                if first - instant(o.observed_at) <= timedelta(days=14):
                    inside += 1
                else:
                    outside += 1
    assert inside > 0.75 * len(norway)
    assert 0 < outside < 0.2 * inside


def test_doses_follow_the_regimens(norway: list[PatientBundle]) -> None:
    for b in norway:
        for a in b.administrations:
            if a.drug == "esketamine" and a.route == "intranasal":
                assert a.dose_mg in (28, 56, 84)
            if a.drug == "ketamine" and a.route == "iv" and a.weight_kg is not None:
                assert 0.4 <= a.dose_mg / a.weight_kg <= 1.1
    weights = [a.weight_kg for b in norway for a in b.administrations]
    assert sum(w is not None for w in weights) > 0.7 * len(weights)
    lots = [a.lot_number for b in norway for a in b.administrations]
    assert 0.1 * len(lots) < sum(lot is not None for lot in lots) < 0.9 * len(lots)

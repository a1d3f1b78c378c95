"""Patients treated in several countries: one traveller pool shared by a network's exports."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import InputError
from app.linkage import normalise_name
from app.synth import SynthSummary, TravellerOptions, write_synthetic_export
from app.synth.generator import generate_patients
from app.synth.identities import person_name
from app.synth.travellers import POOL_INCLUSION, spelling_variant
from tests.synth.exports import read_csv, read_ndjson

SIZES = {"DE": 1600, "NO": 1200, "PT": 900}
SHARE = 0.1


def identity(row: dict[str, str]) -> tuple[str, str, str, str]:
    """What linkage compares: normalised family and given names, birth date and sex."""
    return (
        normalise_name(row["family_name"]),
        normalise_name(row["given_name"]),
        row["birth_date"],
        row["sex"],
    )


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, SynthSummary]]:
    """Three exports of one network (network seed 7), each with its own seed and size."""
    exports = {}
    for seed, (country, patients) in enumerate(SIZES.items(), start=3):
        out = tmp_path_factory.mktemp(f"travellers-{country}")
        summary = write_synthetic_export(
            country=country,
            patients=patients,
            seed=seed,
            out_dir=out,
            travellers=TravellerOptions(share=SHARE, network_seed=7),
        )
        exports[country] = (out, summary)
    return exports


def patients_of(network: dict[str, tuple[Path, SynthSummary]], country: str) -> list[dict]:
    return read_csv(network[country][0] / "csv" / "patients.csv")


def test_pairs_share_patients_at_the_documented_rate(network: dict) -> None:
    identities = {c: {identity(r) for r in patients_of(network, c)} for c in SIZES}
    for first, second in itertools.combinations(SIZES, 2):
        shared = len(identities[first] & identities[second])
        expected = POOL_INCLUSION * SHARE * min(SIZES[first], SIZES[second])
        assert 0.6 * expected <= shared <= 1.4 * expected, (first, second, shared, expected)
    assert identities["DE"] & identities["NO"] & identities["PT"]


def test_travellers_keep_local_ids_and_one_identity(network: dict) -> None:
    for country, (_, summary) in network.items():
        rows = patients_of(network, country)
        assert all(row["patient_id"].startswith(f"{country}-P") for row in rows)
        assert 0.6 * SHARE * SIZES[country] <= summary.travellers <= 1.4 * SHARE * SIZES[country]
    shared = {identity(r) for r in patients_of(network, "NO")} & {
        identity(r) for r in patients_of(network, "DE")
    }
    assert shared


def test_some_shared_patients_are_spelled_differently(network: dict) -> None:
    spelled: dict[tuple, set[tuple[str, str]]] = {}
    for country in SIZES:
        for row in patients_of(network, country):
            spelled.setdefault(identity(row), set()).add((row["family_name"], row["given_name"]))
    assert sum(len(spellings) > 1 for spellings in spelled.values()) >= 5


def test_fhir_export_carries_the_same_identity(network: dict) -> None:
    out, _ = network["PT"]
    csv_rows = {r["patient_id"]: r for r in patients_of(network, "PT")}
    for patient in read_ndjson(out / "fhir" / "Patient.ndjson"):
        row = csv_rows[patient["id"]]
        name = patient["name"][0]
        assert name["family"] == row["family_name"]
        assert name.get("given", [""])[0] == row["given_name"]
        assert patient["birthDate"] == row["birth_date"]
        assert patient["gender"] == row["sex"]


def test_exports_with_travellers_are_deterministic_and_prefix_stable(tmp_path: Path) -> None:
    options = TravellerOptions(share=0.2, network_seed=1)
    for name, patients in (("a", 120), ("b", 120), ("c", 60)):
        write_synthetic_export(
            country="NO",
            patients=patients,
            seed=2,
            out_dir=tmp_path / name,
            formats="csv",
            travellers=options,
        )
    files = ("patients.csv", "administrations.csv", "observations.csv")
    for file in files:
        assert (tmp_path / "a/csv" / file).read_bytes() == (tmp_path / "b/csv" / file).read_bytes()
    small = (tmp_path / "c/csv/patients.csv").read_text().splitlines()
    large = (tmp_path / "a/csv/patients.csv").read_text().splitlines()
    assert large[: len(small)] == small


def test_without_travellers_nothing_changes() -> None:
    plain = list(generate_patients(country="DE", patients=50, seed=4))
    none = list(
        generate_patients(
            country="DE", patients=50, seed=4, travellers=TravellerOptions(0.0, network_seed=9)
        )
    )
    assert plain == none
    assert all(bundle.pool_index is None for bundle in plain)


def test_travellers_change_identities_only_of_their_own_patients() -> None:
    # Record ids are running numbers, so they may shift after a traveller; patient rows may not.
    plain = list(generate_patients(country="DE", patients=80, seed=4))
    mixed = list(
        generate_patients(
            country="DE", patients=80, seed=4, travellers=TravellerOptions(0.3, network_seed=9)
        )
    )
    for before, after in zip(plain, mixed, strict=True):
        if after.pool_index is None:
            assert before.patient == after.patient
        else:
            assert before.patient.patient_id == after.patient.patient_id


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_share_outside_zero_to_one_is_refused(share: float) -> None:
    with pytest.raises(InputError, match="between 0 and 1"):
        TravellerOptions(share=share, network_seed=1)


@given(
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(("nordic", "german", "portuguese", "generic")),
    st.sampled_from(("female", "male")),
)
def test_spelling_variants_are_absorbed_by_normalisation(number: int, style: str, sex: str) -> None:
    rng = random.Random(number)
    family, given_name = person_name(rng, style, sex)
    for name in filter(None, (family, given_name)):
        assert normalise_name(spelling_variant(rng, name)) == normalise_name(name)

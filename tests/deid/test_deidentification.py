"""Pseudonyms (keyed, deterministic, domain-separated) and the default-deny allow-list."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.deid import Deidentifier, Pseudonymiser, pseudonymise_patient_id
from app.errors import ConfigError
from app.profiles import RECORD_FIELDS

SECRET = b"0123456789abcdef0123456789abcdef"
OTHER_SECRET = b"fedcba9876543210fedcba9876543210"


def test_pseudonym_is_hmac_sha256_of_domain_and_value() -> None:
    expected = hmac.new(SECRET, b"ketanet-pseudonym-v1\x1fpatient\x1fP-1", hashlib.sha256)
    assert pseudonymise_patient_id(SECRET, "P-1") == expected.hexdigest()[:32]


def test_pseudonyms_are_deterministic_and_depend_on_secret_and_domain() -> None:
    pseudonymiser = Pseudonymiser(SECRET)
    first = pseudonymiser.pseudonym("administration", "A-1")
    assert first == Pseudonymiser(SECRET).pseudonym("administration", "A-1")
    assert first != Pseudonymiser(OTHER_SECRET).pseudonym("administration", "A-1")
    assert first != pseudonymiser.pseudonym("observation", "A-1")
    assert len(first) == 32
    assert set(first) <= set("0123456789abcdef")


def test_short_secret_is_refused() -> None:
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        Pseudonymiser(b"too short")


@given(st.text(min_size=1, max_size=40))
def test_pseudonym_never_contains_the_identifier(value: str) -> None:
    pseudonym = Pseudonymiser(SECRET).pseudonym("patient", value)
    assert Pseudonymiser(SECRET).patient(value) == pseudonym
    if len(value) >= 3:
        assert value not in pseudonym


def test_allow_list_drops_every_field_it_does_not_name() -> None:
    deid = Deidentifier(Pseudonymiser(SECRET), RECORD_FIELDS)
    record = deid.apply(
        "patient",
        {
            "id": "P-1",
            "birth_year": date(1979, 4, 17),
            "sex": "female",
            "diagnosis": "F33.2",
            "family_name": "Quackenbush",
            "national_id": "NID-1",
            "postal_code": "ZQ7",
            "note": "free text",
        },
    )
    assert record == {
        "id": pseudonymise_patient_id(SECRET, "P-1"),
        "birth_year": 1979,
        "sex": "female",
        "diagnosis": "F33.2",
        "failed_trials": None,
        "substance_use_history": None,
        "psychosis_history": None,
    }


def test_unknown_record_kind_is_denied() -> None:
    with pytest.raises(KeyError):
        Deidentifier(Pseudonymiser(SECRET), RECORD_FIELDS).apply("visit", {"id": "1"})


def test_references_use_the_referenced_kind_domain() -> None:
    pseudonymiser = Pseudonymiser(SECRET)
    deid = Deidentifier(pseudonymiser, RECORD_FIELDS)
    event = deid.apply(
        "adverse_event", {"id": "E-1", "patient_id": "P-1", "administration_id": "A-1"}
    )
    administration = deid.apply("administration", {"id": "A-1", "patient_id": "P-1"})
    assert event["administration_id"] == administration["id"]
    assert (
        event["patient_id"]
        == administration["patient_id"]
        == pseudonymise_patient_id(SECRET, "P-1")
    )


def test_discontinuation_id_is_derived_from_patient_and_instant() -> None:
    deid = Deidentifier(Pseudonymiser(SECRET), RECORD_FIELDS)
    first = deid.apply(
        "discontinuation", {"patient_id": "P-1", "stopped_at": 1_700_000_000, "reason": "cost"}
    )
    same = deid.apply(
        "discontinuation", {"patient_id": "P-1", "stopped_at": 1_700_000_000, "reason": "relapse"}
    )
    later = deid.apply(
        "discontinuation", {"patient_id": "P-1", "stopped_at": 1_700_000_060, "reason": "cost"}
    )
    assert first["id"] == same["id"] != later["id"]
    assert deid.apply("discontinuation", {"patient_id": None, "stopped_at": 1})["id"] is None

"""Invented identities: plausible national formats, distinct values, nothing real or reused."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from app.synth import SynthSummary
from app.synth.records import PatientBundle

from .exports import read_csv

IDENTIFYING = {"patient_id", "national_id", "family_name", "given_name", "birth_date"}
IDENTIFYING |= {"postal_code", "lot_number", "administration_id", "dispense_id", "observation_id"}
IDENTIFYING |= {"event_id"}


def _mod11(digits: list[int], weights: tuple[int, ...]) -> int:
    check = 11 - sum(w * d for w, d in zip(weights, digits, strict=False)) % 11
    return 0 if check == 11 else check


def test_norwegian_ids_are_valid_synthetic_test_numbers(norway: list[PatientBundle]) -> None:
    ids = [b.patient for b in norway if b.patient.national_id is not None]
    assert 0.9 * len(norway) < len(ids) < len(norway)
    for p in ids:
        nid = p.national_id or ""
        digits = [int(c) for c in nid]
        assert len(digits) == 11
        assert nid[:2] == p.birth_date[8:10] and int(nid[2:4]) == int(p.birth_date[5:7]) + 80
        assert digits[9] == _mod11(digits, (3, 7, 6, 1, 8, 9, 4, 5, 2))
        assert digits[10] == _mod11(digits, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2))
        if p.sex in ("male", "female"):
            assert (digits[8] % 2 == 1) == (p.sex == "male")
    assert len({p.national_id for p in ids}) > 0.99 * len(ids)


def test_german_and_portuguese_ids_are_unique_and_well_formed(
    cohorts: dict[str, list[PatientBundle]],
) -> None:
    formats = {"DE": r"[A-Z]\d{9}", "PT": r"1\d{8}"}
    for country, pattern in formats.items():
        ids = [b.patient.national_id for b in cohorts[country] if b.patient.national_id]
        assert all(re.fullmatch(pattern, nid) for nid in ids)
        assert len(set(ids)) == len(ids)
    for nid in (b.patient.national_id for b in cohorts["DE"] if b.patient.national_id):
        total = 0
        for i, c in enumerate(f"{ord(nid[0]) - 64:02d}{nid[1:9]}"):
            product = int(c) * (1 if i % 2 == 0 else 2)
            total += product // 10 + product % 10
        assert int(nid[9]) == total % 10


def test_postal_codes_follow_the_country_format(cohorts: dict[str, list[PatientBundle]]) -> None:
    formats = {"NO": r"\d{4}", "DE": r"\d{5}", "PT": r"\d{4}-\d{3}"}
    for country, pattern in formats.items():
        codes = [b.patient.postal_code for b in cohorts[country]]
        assert 0 < codes.count(None) < 0.1 * len(codes)
        assert all(re.fullmatch(pattern, c) for c in codes if c is not None)


def test_names_are_varied_and_need_utf8(cohorts: dict[str, list[PatientBundle]]) -> None:
    for bundles in cohorts.values():
        patients = [b.patient for b in bundles]
        assert all(len(p.family_name) >= 5 for p in patients)
        assert all(p.given_name is None or len(p.given_name) >= 4 for p in patients)
        assert len({p.family_name for p in patients}) > 200
        assert any(not p.family_name.isascii() for p in patients)
        assert 0 < sum(p.given_name is None for p in patients) < 0.05 * len(patients)


def test_birth_dates_are_iso_and_before_the_data_years(norway: list[PatientBundle]) -> None:
    for b in norway:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", b.patient.birth_date)
        assert "1935-01-01" < b.patient.birth_date < "2010-01-01"  # data starts in 2022
    assert len({b.patient.birth_date for b in norway}) > 0.8 * len(norway)


def test_lot_numbers_are_batch_codes_shared_within_a_course(norway: list[PatientBundle]) -> None:
    lots = Counter(a.lot_number for b in norway for a in b.administrations if a.lot_number)
    assert all(re.fullmatch(r"(KT|ES|AR)[0-9A-F]{6}", lot) for lot in lots)
    assert max(lots.values()) > 1


def test_identifying_values_never_occur_in_other_fields(
    small_export: tuple[Path, SynthSummary],
) -> None:
    out, _ = small_export
    identifying: set[str] = set()
    other: list[str] = []
    for path in sorted((out / "csv").glob("*.csv")):
        for row in read_csv(path):
            for column, value in row.items():
                if column in IDENTIFYING:
                    identifying.add(value)
                else:
                    other.append(value)
    haystack = "\n".join(other)
    searchable = {v for v in identifying if len(v) >= 6}  # postal codes are too short to search
    assert len(searchable) > 1000
    assert not [v for v in searchable if v in haystack]

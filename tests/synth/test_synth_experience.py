"""Synthetic patients' voices: plausible rates, answers that follow the course, valid codes."""

from __future__ import annotations

import statistics
from datetime import datetime

import pytest

from app.profiles.prem import CONSENT_KINDS, PREM_ITEMS
from app.synth.generator import generate_patients
from app.synth.records import PatientBundle


@pytest.fixture(scope="module")
def bundles() -> list[PatientBundle]:
    return [b for b in generate_patients(country="DE", patients=1500, seed=9) if b.administrations]


def _instant(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def _halved(bundle: PatientBundle) -> bool:
    """The patient's latest score before their first response is half their first, or less."""
    answered = _instant(bundle.experience[0].completed_at)
    for code in ("MADRS", "PHQ9", "HAMD17", "QIDSSR16"):
        scores = [o.value for o in bundle.observations
                  if o.code == code and _instant(o.observed_at) <= answered]  # fmt: skip
        if len(scores) >= 2:
            return scores[-1] <= 0.5 * scores[0]
    return False


def _first_answer(bundle: PatientBundle, item: str) -> str | None:
    first = bundle.experience[0].response_id
    return next((r.answer for r in bundle.experience if r.response_id == first and r.item == item),
                None)  # fmt: skip


def test_about_half_of_treated_patients_answer_and_most_have_an_information_sheet(
    bundles: list[PatientBundle],
) -> None:
    answered = sum(bool(b.experience) for b in bundles) / len(bundles)
    assert 0.4 <= answered <= 0.6
    shares = {
        kind: sum(any(c.kind == kind for c in b.consents) for b in bundles) / len(bundles)
        for kind in CONSENT_KINDS
    }
    assert shares["information-sheet"] > 0.75
    assert (
        shares["information-sheet"] > shares["written-consent"] > shares["alternatives-discussed"]
    )


def test_every_answer_is_in_its_items_value_set(bundles: list[PatientBundle]) -> None:
    for bundle in bundles:
        for row in bundle.experience:
            assert row.answer in PREM_ITEMS[row.item].answers, row.item


def test_answers_follow_response_and_adverse_events(bundles: list[PatientBundle]) -> None:
    answering = [b for b in bundles if b.experience]
    halved = [b for b in answering if _halved(b)]
    not_halved = [b for b in answering if not _halved(b)]
    assert len(halved) > 30 and len(not_halved) > 30

    def would_continue(group: list[PatientBundle]) -> float:
        answers = [_first_answer(b, "would-continue") for b in group]
        given = [a for a in answers if a is not None]
        return sum(a == "yes" for a in given) / len(given)

    assert would_continue(halved) > would_continue(not_halved) + 0.2

    def burden(group: list[PatientBundle]) -> float:
        answers = [_first_answer(b, "side-effect-burden") for b in group]
        return statistics.mean(int(a) for a in answers if a is not None)

    def events_before(bundle: PatientBundle) -> int:
        answered = _instant(bundle.experience[0].completed_at)
        return sum(_instant(e.onset_at) <= answered for e in bundle.adverse_events)

    many = [b for b in answering if events_before(b) >= 3]
    none = [b for b in answering if events_before(b) == 0]
    assert many and none
    assert burden(many) > burden(none) + 0.8
    troubling = [_first_answer(b, "most-troubling-effect") for b in none]
    assert {a for a in troubling if a is not None} == {"none"}

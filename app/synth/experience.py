"""Patients' voices in a synthetic export: PREM answers and consent records (DESIGN section 12).

Drawn after the rest of a patient's records, from a random stream of their own (so adding them
changed no other record), and correlated with what happened to the patient: about half of treated
patients answer the PREM at least once, some twice; patients whose score halved expect, accept
and would continue more; adverse events raise the side-effect burden, lower the sense of safety
and name the most troubling effect. Most patients have an information-sheet record before their
first dose, fewer a written consent, fewer still a record that alternatives were discussed.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime
from typing import NamedTuple

from app.profiles.prem import PREM_ITEMS
from app.synth.records import PatientBundle
from app.synth.timeline import LocalClock

ANSWER_RATE = 0.5
SECOND_ANSWER_RATE = 0.25
ITEM_SKIP_RATE = 0.06
CONSENT_RATES = {"information-sheet": 0.85, "written-consent": 0.6, "alternatives-discussed": 0.35}
LATE_RECORD_RATE = 0.08
"""Share of consent records written after the first dose (they do not count for that course)."""
_SCORES = ("MADRS", "PHQ9", "HAMD17", "QIDSSR16")
_DAY_S = 86_400


class ExperienceRow(NamedTuple):
    """A line of ``experience.csv``: one answered PREM item."""

    response_id: str
    patient_id: str
    completed_at: str
    item: str
    answer: str


class ConsentRow(NamedTuple):
    """A line of ``consents.csv``."""

    consent_id: str
    patient_id: str
    recorded_at: str
    kind: str


def _instant(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp())


class VoiceCounters:
    """Running numbers for response and consent ids, unique within one export."""

    __slots__ = ("consent", "response")

    def __init__(self) -> None:
        self.consent = self.response = 0


def add_patient_voice(
    bundle: PatientBundle, rng: random.Random, clock: LocalClock, counters: VoiceCounters
) -> None:
    """Append the patient's consent records and PREM answers to ``bundle``."""
    if not bundle.administrations:
        return
    pid = bundle.patient.patient_id
    prefix = pid.partition("-")[0]
    first_s = _instant(bundle.administrations[0].administered_at)
    consents = _consents(rng, first_s)
    for at_s, kind in consents:
        counters.consent += 1
        consent_id = f"{prefix}-C{counters.consent:07d}"
        bundle.consents.append(ConsentRow(consent_id, pid, clock.iso(at_s), kind))
    if rng.random() >= ANSWER_RATE:
        return
    informed = {kind for _at, kind in consents}
    completed = [first_s + rng.randint(21, 90) * _DAY_S + rng.randint(8, 19) * 3600]
    if rng.random() < SECOND_ANSWER_RATE:
        completed.append(completed[0] + rng.randint(60, 240) * _DAY_S)
    for at_s in (s for s in completed if s < clock.cutoff_s):
        counters.response += 1
        response_id = f"{prefix}-Q{counters.response:07d}"
        answers = _answers(rng, bundle, at_s, informed)
        bundle.experience.extend(
            ExperienceRow(response_id, pid, clock.iso(at_s), item, answer)
            for item, answer in answers.items()
        )


def _consents(rng: random.Random, first_s: int) -> list[tuple[int, str]]:
    records = []
    for kind, rate in CONSENT_RATES.items():
        if rng.random() < rate:
            late = rng.random() < LATE_RECORD_RATE
            offset_s = rng.randint(1, 20) * _DAY_S if late else -rng.randint(0, 14 * 24) * 3600
            records.append((first_s + offset_s, kind))
    return sorted(records)


def _improved(bundle: PatientBundle, at_s: int) -> bool:
    """Return True when the patient's latest score before ``at_s`` is half their first or less."""
    for code in _SCORES:
        scores = [
            (_instant(o.observed_at), o.value)
            for o in bundle.observations
            if o.code == code and _instant(o.observed_at) <= at_s
        ]
        if len(scores) >= 2:
            return scores[-1][1] <= 0.5 * scores[0][1]
    return False


def _likert(rng: random.Random, mean: float) -> str:
    return str(min(5, max(1, round(rng.gauss(mean, 0.9)))))


def _answers(
    rng: random.Random, bundle: PatientBundle, at_s: int, informed: set[str]
) -> dict[str, str]:
    improved = _improved(bundle, at_s)
    events = [e for e in bundle.adverse_events if _instant(e.onset_at) <= at_s]
    serious = any(e.serious == "yes" or e.severity == "severe" for e in events)
    benefit = 3.9 if improved else 2.7
    burden = 1.8 + 0.6 * min(len(events), 3)
    stopped = [d.reason for d in bundle.discontinuations if _instant(d.stopped_at) <= at_s]
    if stopped and rng.random() < 0.7:
        reason = stopped[-1]
    elif not improved and rng.random() < 0.4:
        reason = "lack-of-efficacy"
    elif events and rng.random() < 0.4:
        reason = "adverse-event"
    else:
        reason = "none"
    if improved:
        would = rng.choices(("yes", "no", "unsure"), weights=(0.78, 0.07, 0.15))[0]
    else:
        would = rng.choices(("yes", "no", "unsure"), weights=(0.35, 0.35, 0.3))[0]
    troubling = Counter(e.event for e in events).most_common(1)
    answers = {
        "expectations-met": _likert(rng, benefit),
        "informed-benefits": _likert(rng, 4.0),
        "informed-side-effects": _likert(rng, 3.7),
        "informed-alternatives": _likert(rng, 4.0 if "alternatives-discussed" in informed else 2.8),
        "experience-acceptable": _likert(rng, benefit + 0.3 - 0.3 * min(len(events), 2)),
        "felt-safe": _likert(rng, 3.2 if serious else 4.2),
        "side-effect-burden": _likert(rng, burden),
        "would-continue": would,
        "most-troubling-effect": troubling[0][0] if troubling else "none",
        "reason-considered-stopping": reason,
    }
    # In questionnaire order, each item left blank now and then.
    return {item: answers[item] for item in PREM_ITEMS if rng.random() >= ITEM_SKIP_RATE}

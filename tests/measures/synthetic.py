"""A small random registry with the edge cases the measures must get right.

Times cluster around UTC midnight, some doses share an instant, events fall on the 30-day
attribution boundary, some link to unknown administrations, scores sit on window edges and at equal
distances before and after a target, doses and dispenses sit on band edges and on the limit.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from sqlalchemy import Engine, insert

from app.store.models import RecordBase
from tests.measures.synthetic_safety import add_safety_records
from tests.measures.synthetic_voice import add_voice_rows

DAY_S = 86_400
EPOCH = date(1970, 1, 1)
DRUG_ROUTES = {
    "ketamine": ["iv", "im", "sc", "oral", "sublingual"],
    "esketamine": ["intranasal", "iv"],
    "arketamine": ["iv", "oral"],
}
SETTINGS = ["clinic", "inpatient", "home-supervised", "home-unsupervised"]
EVENTS = ["dissociation", "sedation", "hypertension", "nausea", "headache", "cystitis", "other"]
REASONS = ["lack-of-efficacy", "relapse", "adverse-event", "cost", "remission", "other"]
DOSES = [10.0, 24.99, 25.0, 49.99, 50.0, 74.5, 75.0, 99.99, 100.0, 149.9, 150.0, 200.0, 56.0]
QUANTITIES = [100.0, 250.0, 299.99, 300.0, 300.01, 500.0, 1000.0]
# Offsets (s) of scores after an index: window edges (±1 s) and equal distances around targets.
FOLLOWUPS = [
    12 * 3600,
    12 * 3600 - 1,
    24 * 3600 - 600,
    24 * 3600 + 600,
    48 * 3600,
    48 * 3600 + 1,
    5 * DAY_S,
    7 * DAY_S - 3600,
    7 * DAY_S + 3600,
    10 * DAY_S,
    10 * DAY_S + 1,
    21 * DAY_S,
    27 * DAY_S,
    29 * DAY_S,
    35 * DAY_S,
    80 * DAY_S,
    90 * DAY_S,
    100 * DAY_S,
    150 * DAY_S,
    200 * DAY_S,
    300 * DAY_S,
    365 * DAY_S,
    430 * DAY_S,
    431 * DAY_S,
]
BASELINES = [0, 3600, 3 * DAY_S, 14 * DAY_S, 14 * DAY_S + 1, 20 * DAY_S, -3600]


def generate_registry(seed: int, patients: int = 220) -> dict[str, list[dict[str, Any]]]:
    """Return rows per store table for a random registry (deterministic for ``seed``)."""
    rng = random.Random(seed)
    rows: dict[str, list[dict[str, Any]]] = {
        name: []
        for name in (
            "patient",
            "administration",
            "adverse_event",
            "observation",
            "dispense",
            "discontinuation",
        )
    }
    first_day = (date(2023, 4, 1) - EPOCH).days
    for number in range(patients):
        pid = f"p{number:04d}"
        rows["patient"].append(
            {
                "id": pid,
                "birth_year": rng.randint(1940, 2010),
                "diagnosis": "F33.1",
                "sex": rng.choice(["female", "female", "male", "male", "other", "unknown"]),
                "row_hash": "h",
            }
        )
        at_s = (first_day + rng.randint(0, 520)) * DAY_S + _time_of_day(rng)
        times = []
        for dose in range(rng.choice([0, 1, 2, 3, 4, 6, 9, 14])):
            at_s += rng.choice(
                [0, 3600, 2 * 3600, DAY_S, 2 * DAY_S, 3 * DAY_S, 7 * DAY_S, 30 * DAY_S]
            )
            at_s = at_s // DAY_S * DAY_S + _time_of_day(rng) if rng.random() < 0.3 else at_s
            drug = rng.choice(["ketamine", "ketamine", "esketamine", "arketamine"])
            times.append(at_s)
            rows["administration"].append(
                {
                    "id": f"{pid}-a{dose:02d}",
                    "patient_id": pid,
                    "at_s": at_s,
                    "day": at_s // DAY_S,
                    "drug": drug,
                    "route": rng.choice(DRUG_ROUTES[drug]),
                    "dose_mg": rng.choice(DOSES),
                    "setting": rng.choice(SETTINGS),
                    "row_hash": "h",
                }
            )
        if not times:
            continue
        _events(rng, rows, pid, times)
        _scores(rng, rows, pid, times)
        for number_d in range(rng.choice([0, 0, 1, 2, 3])):
            when = times[0] + rng.randint(-40, 200) * DAY_S + _time_of_day(rng)
            rows["dispense"].append(
                {
                    "id": f"{pid}-d{number_d}",
                    "patient_id": pid,
                    "at_s": when,
                    "day": when // DAY_S,
                    "drug": "esketamine",
                    "route": "intranasal",
                    "quantity_mg": rng.choice(QUANTITIES),
                    "days_supply": 7,
                    "row_hash": "h",
                }
            )
        for number_s in range(rng.choice([0, 0, 0, 1, 2])):
            when = times[0] + rng.randint(-30, 300) * DAY_S
            rows["discontinuation"].append(
                {
                    "id": f"{pid}-s{number_s}",
                    "patient_id": pid,
                    "at_s": when,
                    "day": when // DAY_S,
                    "reason": rng.choice(REASONS),
                    "row_hash": "h",
                }
            )
    add_voice_rows(seed, rows)
    add_safety_records(rows, seed)
    return rows


def _time_of_day(rng: random.Random) -> int:
    return rng.choice(
        [0, 59, 23 * 3600 + 1800, 23 * 3600 + 3599, 30 * 60, rng.randint(0, DAY_S - 1)]
    )


def _events(
    rng: random.Random, rows: dict[str, list[dict[str, Any]]], pid: str, times: list[int]
) -> None:
    for number in range(rng.choice([0, 0, 1, 2, 4])):
        anchor = rng.choice(times)
        offset = rng.choice([0, 3600, 5 * DAY_S, 30 * DAY_S, 30 * DAY_S + 1, 45 * DAY_S, -3600])
        link = rng.random()
        linked = (
            rng.choice(rows["administration"][-len(times) :])["id"]
            if link < 0.3
            else "unknown-administration"
            if link < 0.4
            else None
        )
        rows["adverse_event"].append(
            {
                "id": f"{pid}-e{number}",
                "patient_id": pid,
                "at_s": anchor + offset,
                "day": (anchor + offset) // DAY_S,
                "event": rng.choice(EVENTS),
                "severity": rng.choice(["mild", "moderate", "severe"]),
                "serious": rng.random() < 0.2,
                "outcome": "recovered",
                "administration_id": linked,
                "row_hash": "h",
            }
        )


def _scores(
    rng: random.Random, rows: dict[str, list[dict[str, Any]]], pid: str, times: list[int]
) -> None:
    number = 0
    for code in ("MADRS", "PHQ9", "HAMD17", "QIDSSR16"):
        if rng.random() < 0.35:
            continue
        anchor = rng.choice(times[:2])
        baseline = float(rng.choice([6, 9, 10, 11, 20, 25, 30, 38]))
        for _ in range(rng.choice([1, 1, 2])):
            when = anchor - rng.choice(BASELINES)
            rows["observation"].append(_score(pid, number, when, code, baseline))
            number += 1
        for _ in range(rng.choice([1, 2, 3, 5])):
            when = anchor + rng.choice(FOLLOWUPS)
            value = rng.choice([baseline / 2, baseline / 2 + 0.5, 4.0, 5.0, 7.0, 10.0, 12.0, 13.0])
            rows["observation"].append(_score(pid, number, when, code, value))
            number += 1


def _score(pid: str, number: int, when: int, code: str, value: float) -> dict[str, Any]:
    return {
        "id": f"{pid}-o{number:02d}",
        "patient_id": pid,
        "at_s": when,
        "day": when // DAY_S,
        "code": code,
        "value": value,
        "unit": None,
        "row_hash": "h",
    }


def load_registry(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Insert generated rows into a migrated store."""
    with engine.begin() as connection:
        for name, table_rows in rows.items():
            if table_rows:
                connection.execute(insert(RecordBase.metadata.tables[name]), table_rows)

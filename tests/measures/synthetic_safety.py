"""Edge cases of the safety signals and reviews added to the random registry (``synthetic.py``).

Blood-pressure pairs sit exactly at the dose instant, at ±2 h, one second beyond, at the next
dose's instant, with a lone SBP and duplicates at one instant; rises sit exactly on +40/+25 and
severe values on 180/110; ALT and AST on 3 × 40 and one above; BPICSS on 19; reviews exactly
28 days before a dispense and one second more. A separate generator, so the other tables' rows
stay as they were.
"""

from __future__ import annotations

import random
from typing import Any

DAY_S = 86_400
BP_OFFSETS = [-7200, -7201, -3600, -600, 0, 1, 1800, 7200, 7201]
BP_VALUES = [(120, 80), (160, 80), (159, 104), (120, 105), (180, 90), (130, 110), (179, 109)]
LIVER_VALUES = [30.0, 119.0, 120.0, 120.5, 121.0, 300.0]
BPICSS_VALUES = [2.0, 10.0, 18.0, 19.0, 25.0]
REVIEW_BEFORE_S = [0, 28 * DAY_S, 28 * DAY_S + 1, 10 * DAY_S, -DAY_S, 200 * DAY_S]


def add_safety_records(rows: dict[str, list[dict[str, Any]]], seed: int) -> None:
    """Add BP pairs, liver tests, BPICSS and reviews around the generated doses and dispenses."""
    rng = random.Random(seed * 31 + 12)
    rows.setdefault("review", [])
    by_patient: dict[str, list[int]] = {}
    for adm in rows["administration"]:
        by_patient.setdefault(adm["patient_id"], []).append(adm["at_s"])
    for pid, times in by_patient.items():
        number = 0

        def observe(at_s: int, code: str, value: float, pid: str = pid) -> None:
            nonlocal number
            rows["observation"].append(
                {"id": f"{pid}-s{number:03d}", "patient_id": pid, "at_s": at_s,
                 "day": at_s // DAY_S, "code": code, "value": value, "unit": None,
                 "row_hash": "h"}
            )  # fmt: skip
            number += 1

        for at_s in times:
            if rng.random() < 0.25:
                continue
            for offset in rng.sample(BP_OFFSETS, rng.randint(1, 4)):
                sbp, dbp = rng.choice(BP_VALUES)
                observe(at_s + offset, "SBP", float(sbp))
                if rng.random() < 0.9:
                    observe(at_s + offset, "DBP", float(dbp))
                if rng.random() < 0.05:
                    observe(at_s + offset, "SBP", float(sbp + 5))
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 3)):
                when = rng.choice(times) + rng.choice([-DAY_S, 0, 1, 3 * DAY_S, 60 * DAY_S])
                observe(when, rng.choice(["ALT", "AST"]), rng.choice(LIVER_VALUES))
        if rng.random() < 0.4:
            when = rng.choice(times) + rng.choice([-DAY_S, 0, 30 * DAY_S, 120 * DAY_S])
            observe(when, "BPICSS", rng.choice(BPICSS_VALUES))
    for dispense in rows["dispense"]:
        pid = dispense["patient_id"]
        for _ in range(rng.choice([0, 1, 1, 2])):
            when = dispense["at_s"] - rng.choice(REVIEW_BEFORE_S)
            rows["review"].append(
                {"id": f"{dispense['id']}-r{len(rows['review'])}", "patient_id": pid,
                 "at_s": when, "day": when // DAY_S, "row_hash": "h"}
            )  # fmt: skip

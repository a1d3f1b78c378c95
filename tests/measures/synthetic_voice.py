"""PREM answers and consent records for the random registry, with the edge cases that matter.

Answers fall on the period's first and last days and just outside, before and after the index;
some patients answer an item twice (the latest counts), twice at one instant (ties by id); some
answer patients who are not treated in the period. Consent records sit exactly at the index
instant (counted), one second after it (not counted) and long before.
"""

from __future__ import annotations

import random
from typing import Any

from app.profiles.prem import CONSENT_KINDS, PREM_ITEMS

DAY_S = 86_400


def add_voice_rows(seed: int, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Add ``experience`` and ``consent`` rows for the patients of ``rows`` (deterministic)."""
    rng = random.Random(f"voice-{seed}")
    rows.setdefault("experience", [])
    rows.setdefault("consent", [])
    first: dict[str, int] = {}
    for adm in rows["administration"]:
        first[adm["patient_id"]] = min(adm["at_s"], first.get(adm["patient_id"], adm["at_s"]))
    for pid, first_s in sorted(first.items()):
        for number, kind in enumerate(CONSENT_KINDS):
            if rng.random() < 0.55:
                offset = rng.choice([0, 0, 1, -1, -3600, -30 * DAY_S, 5 * DAY_S, -400 * DAY_S])
                rows["consent"].append(_row(pid, f"{pid}-c{number}", first_s + offset, kind=kind))
        if rng.random() < 0.35:
            continue
        for response in range(rng.choice([1, 1, 2, 3])):
            when = first_s + rng.choice(
                [-5 * DAY_S, 0, 3600, 20 * DAY_S, 90 * DAY_S, 200 * DAY_S, 400 * DAY_S]
            )
            if response and rng.random() < 0.3:
                when = rows["experience"][-1]["at_s"]  # a second response at the same instant
            for item in PREM_ITEMS.values():
                if rng.random() < 0.85:
                    answer = rng.choice(item.answers)
                    rid = f"{pid}-q{response}"
                    rows["experience"].append(
                        _row(pid, f"{rid}-{item.code}", when, response_id=rid, item=item.code,
                             answer=answer)
                    )  # fmt: skip


def _row(pid: str, row_id: str, at_s: int, **values: Any) -> dict[str, Any]:
    return {
        "id": row_id,
        "patient_id": pid,
        "at_s": at_s,
        "day": at_s // DAY_S,
        "row_hash": "h",
        **values,
    }

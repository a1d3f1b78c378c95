"""Take-home supplies: dispenses for patients who take oral or sublingual ketamine at home."""

from __future__ import annotations

import random
from datetime import timedelta

from app.synth.courses import Session
from app.synth.regimens import Regimen
from app.synth.timeline import LocalClock

Dispense = tuple[int, Regimen, float, int]
"""(instant handed over, regimen, quantity in mg, days of supply)."""

_DAY_S = 86400


def take_home_supplies(
    rng: random.Random, clock: LocalClock, sessions: list[Session]
) -> list[Dispense]:
    """Return the dispenses covering a course's unsupervised home sessions (none for most)."""
    home = [s for s in sessions if s.setting == "home-unsupervised"]
    if not home or rng.random() >= 0.8:
        return []
    doses_per_week = rng.choice((1, 2, 2, 3))
    dispenses: list[Dispense] = []
    day = clock.local_day(home[0].at_s) - timedelta(days=rng.randint(0, 3))
    while True:
        handed_s = clock.instant(day, rng.randrange(480, 990, 5))
        if handed_s >= clock.cutoff_s or handed_s > home[-1].at_s:
            return dispenses
        current = home[0]
        for session in home:  # the dose in use around the hand-over
            if session.at_s <= handed_s + 4 * _DAY_S:
                current = session
        days_supply = rng.choice((7, 14, 14, 21, 28))
        doses = max(1, round(days_supply / 7 * doses_per_week))
        quantity = round(current.dose_mg * doses * rng.uniform(1.0, 1.25) / 25) * 25
        dispenses.append((handed_s, current.regimen, min(600, max(100, quantity)), days_supply))
        day += timedelta(days=days_supply + rng.randint(-2, 3))

"""Prescriber reviews, pre/post-dose blood pressure and the bladder score of a synthetic course.

Reviews come roughly monthly while a course runs (every 21–35 days from the first session); a
few take-home patients are overdue (their reviews lapse after the first months). Blood pressure
is taken before and after most supervised sessions: a rise ≥ 40/25 mmHg in a few percent, more
with esketamine at higher doses. BPICSS (0–38) is measured in some long-term patients, with rare
positives (≥ 19) among frequent users.
"""

from __future__ import annotations

import random

from app.synth.courses import Course

Observation = tuple[int, str, float, str | None]
_DAY_S = 86_400
_OVERDUE_SHARE = 0.15
_BPICSS_SHARE = 0.35
_BPICSS_POSITIVE_FREQUENT = 0.08


def review_times(rng: random.Random, course: Course, end_s: int, *, take_home: bool) -> list[int]:
    """Return the instants of the course's prescriber reviews, roughly monthly, before ``end_s``."""
    first_s = course.sessions[0].at_s
    last_s = course.stop_s if course.stop_s is not None else course.sessions[-1].at_s
    lapse_s = last_s
    if take_home and rng.random() < _OVERDUE_SHARE:
        lapse_s = first_s + rng.randint(20, 90) * _DAY_S
    times: list[int] = []
    at_s = first_s - rng.randint(0, 7) * _DAY_S - rng.randint(1, 8) * 3600
    while at_s <= min(lapse_s, end_s - 1):
        times.append(at_s)
        at_s += rng.randint(21, 35) * _DAY_S + rng.randint(-3, 3) * 3600
    return times


def session_blood_pressure(rng: random.Random, course: Course) -> list[Observation]:
    """Return SBP/DBP pairs 15 min before and 30 min after most supervised sessions."""
    rows: list[Observation] = []
    for session in course.sessions:
        if session.setting == "home-unsupervised" or rng.random() >= 0.8:
            continue
        sbp, dbp = rng.gauss(124, 13), rng.gauss(78, 8)
        rise_odds = 0.03
        if session.regimen.drug == "esketamine":
            rise_odds = 0.05 if session.dose_mg < 80 else 0.08
        rise = rng.random() < rise_odds
        sbp_up = rng.uniform(40, 60) if rise else rng.gauss(10, 7)
        dbp_up = rng.uniform(15, 30) if rise else rng.gauss(5, 4)
        rows += [
            (session.at_s - 900, "SBP", round(sbp), "mm[Hg]"),
            (session.at_s - 900, "DBP", round(dbp), "mm[Hg]"),
            (session.at_s + 1800, "SBP", round(min(260, sbp + sbp_up)), "mm[Hg]"),
            (session.at_s + 1800, "DBP", round(min(160, dbp + dbp_up)), "mm[Hg]"),
        ]
    return rows


def bladder_scores(rng: random.Random, course: Course, end_s: int) -> list[Observation]:
    """Return BPICSS scores for some long-term patients (rare positives among frequent users)."""
    if not course.maintained or rng.random() >= _BPICSS_SHARE:
        return []
    first_s = course.sessions[0].at_s
    frequent = len(course.sessions) >= 20
    positive = frequent and rng.random() < _BPICSS_POSITIVE_FREQUENT
    rows: list[Observation] = []
    at_s = first_s + rng.randint(80, 120) * _DAY_S
    while at_s < end_s and len(rows) < 4:
        score = rng.randint(19, 34) if positive else min(18, max(0, round(rng.gauss(5, 4))))
        rows.append((at_s, "BPICSS", score, None))
        at_s += rng.randint(150, 210) * _DAY_S
    return rows

"""Observations: depression scores before and after a course, vital signs, CADSS and liver tests.

Baselines fall within the 14 days before the first dose (a few earlier, outside the window), and
follow-ups scatter around 24 h, day 7, day 28 and months 3, 6 and 12 with jitter (sometimes outside
the measure windows) and missing visits. The course's expected improvement drives the scores, so
that about half respond and about a third remit by day 28.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, timedelta

from app.synth.courses import Course, Session
from app.synth.safety import EventDraft
from app.synth.timeline import LocalClock

Observation = tuple[int, str, float, str | None]
"""(instant, code, value, unit); the unit is None for scores."""

_DAY_S = 86400

# instrument: (P(baseline), follow-up coverage, mean and sd of baseline, noise sd, score range)
_INSTRUMENTS: tuple[tuple[str, float, float, float, float, float, int, int], ...] = (
    ("MADRS", 0.88, 1.0, 31.0, 6.0, 2.0, 0, 60),
    ("PHQ9", 0.82, 0.9, 18.5, 4.0, 1.5, 0, 27),
    ("HAMD17", 0.35, 0.7, 22.0, 5.0, 2.0, 0, 52),
    ("QIDSSR16", 0.30, 0.8, 16.5, 3.5, 1.2, 0, 27),
)
# time point: (target days, jitter sd in days, P(present), share of the day-28 improvement kept
# when maintained / when not, sd of that share)
_TIME_POINTS: tuple[tuple[int, float, float, float, float, float], ...] = (
    (1, 5 / 24, 0.45, 0.75, 0.75, 0.12),
    (7, 1.2, 0.65, 0.85, 0.85, 0.10),
    (28, 3.0, 0.75, 1.0, 1.0, 0.06),
    (90, 8.0, 0.6, 1.0, 0.6, 0.12),
    (180, 15.0, 0.45, 0.95, 0.45, 0.15),
    (365, 30.0, 0.35, 0.9, 0.4, 0.18),
)


def course_scores(
    rng: random.Random, clock: LocalClock, course: Course, end_s: int
) -> list[Observation]:
    """Return the course's baseline and follow-up depression scores recorded before ``end_s``."""
    first_s = course.sessions[0].at_s
    first_day = clock.local_day(first_s)
    severity = -4.0 if rng.random() < 0.02 else rng.gauss(0.0, 1.0)
    instruments = [spec for spec in _INSTRUMENTS if rng.random() < spec[1]]
    scores: list[Observation] = []
    baselines: list[int] = []
    for code, _, _, mean, sd, noise, low, high in instruments:
        baseline = min(high, max(low + 4, round(mean + sd * severity + rng.gauss(0.0, noise))))
        baselines.append(baseline)
        # day 14 straddles the window's edge; a few baselines are older still
        days_before = rng.randint(15, 25) if rng.random() < 0.04 else rng.randint(0, 14)
        if days_before:
            at_s = _visit(rng, clock, first_day - timedelta(days=days_before))
        else:
            at_s = first_s - 60 * rng.randint(15, 120)
        scores.append((at_s, code, baseline, None))
        if rng.random() < 0.1:
            screening = min(high, max(low, baseline + round(rng.gauss(1.0, 3.0))))
            day = first_day - timedelta(days=days_before + rng.randint(3, 20))
            scores.append((_visit(rng, clock, day), code, screening, None))
    for target_days, jitter_days, present, kept_on, kept_off, sd in _TIME_POINTS:
        stopped_early = not course.maintained and target_days > 28
        improvement = course.improvement * (kept_off if stopped_early else kept_on)
        improvement += rng.gauss(0.0, sd)
        for (code, _, coverage, _, _, _, low, high), baseline in zip(
            instruments, baselines, strict=True
        ):
            if rng.random() >= present * coverage * (0.5 if stopped_early else 1.0):
                continue
            spread = jitter_days * (3 if rng.random() < 0.06 else 1)
            for _ in range(2 if target_days == 28 and rng.random() < 0.1 else 1):
                if target_days == 1:
                    at_s = first_s + _DAY_S + 60 * round(rng.gauss(0.0, spread * 1440))
                else:
                    offset = target_days + round(rng.gauss(0.0, spread))
                    at_s = _visit(rng, clock, first_day + timedelta(days=offset))
                if at_s >= end_s or at_s <= first_s:
                    continue
                change = improvement + rng.gauss(0.0, 0.05)
                value = min(high, max(low, round(baseline * (1.0 - change))))
                scores.append((at_s, code, value, None))
    return scores


def _visit(rng: random.Random, clock: LocalClock, day: date) -> int:
    """A daytime instant (08:00-17:55 local) on a day."""
    return clock.instant(day, 480 + 5 * int(rng.random() * 120))


def session_measurements(
    rng: random.Random, sessions: list[Session], events: Iterable[EventDraft]
) -> list[Observation]:
    """Return blood pressure and heart rate around some sessions and CADSS after some."""
    dissociative = {e.origin_s for e in events if e.event == "dissociation"}
    hypertensive = {e.origin_s for e in events if e.event == "hypertension"}
    takes_vitals = rng.random() < 0.25
    takes_cadss = rng.random() < 0.3
    rows: list[Observation] = []
    for session in sessions:
        at_s = session.at_s
        if takes_vitals and session.setting != "home-unsupervised" and rng.random() < 0.45:
            sbp, dbp, hr = rng.gauss(124, 14), rng.gauss(78, 9), rng.gauss(74, 11)
            rise = 40.0 if at_s in hypertensive else 0.0
            rows += [
                (at_s - 600, "SBP", round(sbp), "mm[Hg]"),
                (at_s - 600, "DBP", round(dbp), "mm[Hg]"),
                (at_s + 2400, "SBP", round(sbp + rng.gauss(12, 8) + rise), "mm[Hg]"),
                (at_s + 2400, "DBP", round(dbp + rng.gauss(6, 5) + rise / 2), "mm[Hg]"),
                (at_s + 2400, "HR", round(hr + rng.gauss(5, 6)), "/min"),
            ]
        if takes_cadss and rng.random() < 0.6:
            mean, sd = (28.0, 10.0) if at_s in dissociative else (6.0, 5.0)
            rows.append((at_s + 2700, "CADSS", min(92, max(0, round(rng.gauss(mean, sd)))), None))
    return rows


def liver_tests(
    rng: random.Random, course: Course, events: Iterable[EventDraft], end_s: int
) -> list[Observation]:
    """Return ALT and AST at baseline and month 3 for some patients, and after liver injury."""
    injuries = [e.onset_s for e in events if e.event == "hepatotoxicity"]
    if not injuries and rng.random() >= 0.12:
        return []
    first_s = course.sessions[0].at_s
    times = [first_s - rng.randint(1, 14) * _DAY_S]
    if course.maintained:
        times.append(first_s + rng.randint(80, 100) * _DAY_S)
    rows: list[Observation] = []
    for at_s in times:
        if at_s < end_s:
            rows.append((at_s, "ALT", round(rng.lognormvariate(3.1, 0.35)), "U/L"))
            rows.append((at_s, "AST", round(rng.lognormvariate(3.2, 0.3)), "U/L"))
    for onset_s in injuries:
        if onset_s + _DAY_S < end_s:
            rows.append((onset_s + _DAY_S, "ALT", rng.randint(150, 400), "U/L"))
            rows.append((onset_s + _DAY_S, "AST", rng.randint(90, 300), "U/L"))
    return rows

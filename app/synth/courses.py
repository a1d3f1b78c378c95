"""Treatment courses: when each session happens, at which dose and where, and why a course ends.

A course is an induction (twice weekly for four weeks) followed, for some patients, by weekly then
weekly-or-fortnightly maintenance of variable length. Some patients stop during induction; some
sessions move a day (giving intervals under three days), a few patients get two doses on one date,
and late inpatient or home doses fall just after local midnight (so their UTC date is the day
before).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from app.synth.countries import CountryProfile
from app.synth.patients import Person
from app.synth.regimens import REGIMENS, Regimen, choose_setting, starting_level, step_up
from app.synth.timeline import CUTOFF_DAY, LocalClock

_LOT_PREFIX = {"ketamine": "KT", "esketamine": "ES", "arketamine": "AR"}


@dataclass(slots=True)
class Session:
    """One administration before it gets its id."""

    at_s: int
    regimen: Regimen
    dose_mg: float
    setting: str
    weight_kg: float | None
    lot_number: str | None


@dataclass(slots=True)
class Course:
    """A patient's course: sessions in time order, expected benefit, and how it ended."""

    sessions: list[Session]
    improvement: float
    maintained: bool
    stop_reason: str | None
    stop_s: int | None


def plan_course(
    rng: random.Random,
    profile: CountryProfile,
    clock: LocalClock,
    person: Person,
    *,
    regimen: Regimen,
    first_day: date,
) -> Course:
    """Return a course starting on ``first_day``; ongoing at the cut-off gives no stop reason."""
    improvement = min(1.0, max(-0.3, rng.gauss(0.5, 0.3)))
    offsets = _induction_offsets(rng)
    maintained = False
    if rng.random() < (0.22 if improvement < 0.2 else 0.07):
        offsets = offsets[: rng.randint(1, 7)]
        reason = _early_reason(rng, profile, person, improvement, regimen)
    elif rng.random() < (0.3 if improvement < 0.3 else profile.maintenance_share):
        maintained = True
        offsets += _maintenance_offsets(
            rng, offsets[-1], profile.mean_maintenance_days, label=regimen.drug == "esketamine"
        )
        reason = _maintenance_end_reason(rng, profile, person)
    else:
        reason = _after_induction_reason(rng, profile, improvement)
    switch_at = len(offsets)
    if maintained and regimen.drug == "ketamine" and not regimen.home_based and rng.random() < 0.06:
        switch_at = 8
    sessions = _sessions(rng, clock, person, regimen, first_day, offsets, switch_at)
    last_day = first_day + timedelta(days=offsets[-1])
    if last_day > CUTOFF_DAY:
        return Course(sessions, improvement, maintained, None, None)
    stop_day = last_day + timedelta(
        days=rng.randint(30, 90) if reason == "lost-to-follow-up" else rng.randint(0, 21)
    )
    stop_s = max(clock.instant(stop_day, rng.randrange(480, 990, 5)), sessions[-1].at_s + 3600)
    if stop_s >= clock.cutoff_s:
        return Course(sessions, improvement, maintained, None, None)
    return Course(sessions, improvement, maintained, reason, stop_s)


def _induction_offsets(rng: random.Random) -> list[int]:
    """Day offsets of eight twice-weekly sessions, with the odd moved or doubled-up session."""
    gaps = (2, 5) if rng.random() < 0.08 else (3, 4)
    offsets = [0]
    for i in range(1, 8):
        day = offsets[-1] + gaps[(i - 1) % 2]
        roll = rng.random()
        if roll < 0.015:
            day = offsets[-1] + 1
        elif roll < 0.065:
            day += rng.choice((-1, 1))
        offsets.append(max(day, offsets[-1] + 1))
    if rng.random() < 0.012:
        at = rng.randrange(len(offsets))
        offsets.insert(at, offsets[at])  # a second dose on the same date
    return offsets


def _maintenance_offsets(
    rng: random.Random, last: int, mean_days: float, *, label: bool = False
) -> list[int]:
    """Day offsets of weekly, then weekly or fortnightly, maintenance sessions.

    With ``label`` (esketamine), the step after the four weekly sessions is the label's weekly or
    every two weeks; ketamine clinics space some patients' boosters three weeks apart.
    """
    end = last + min(540, 28 + int(rng.expovariate(1.0 / mean_days)))
    step = rng.choice((7, 14, 14) if label else (7, 14, 14, 21))
    offsets: list[int] = []
    day = last
    while True:
        day += 7 if len(offsets) < 4 else step
        if rng.random() < 0.2:
            day += rng.choice((-1, 1))
        if rng.random() < 0.04:
            day += rng.randint(7, 21)
        if day > end:
            return offsets
        offsets.append(day)


def _sessions(
    rng: random.Random,
    clock: LocalClock,
    person: Person,
    regimen: Regimen,
    first_day: date,
    offsets: list[int],
    switch_at: int,
) -> list[Session]:
    """Dose, setting, weight and lot of each session on or before the cut-off."""
    usual = choose_setting(rng, regimen)
    level = starting_level(rng, regimen, person.age)
    records_weight = rng.random() < regimen.weight_share
    lot = _lot(rng, regimen)
    sessions: list[Session] = []
    previous_day, previous_minute = -1, 0
    for i, offset in enumerate(offsets):
        if i == switch_at:
            regimen = REGIMENS[rng.choice(("ketamine-oral", "ketamine-sublingual"))]
            usual, level = choose_setting(rng, regimen), starting_level(rng, regimen, person.age)
        if i in (1, 4, 8) and level + 1 < regimen.level_count() and rng.random() < step_up(regimen):
            level += 1
        day = first_day + timedelta(days=offset)
        if day > CUTOFF_DAY:
            break
        setting = usual
        first_visits = usual.startswith("home") and (i < 2 or i == switch_at)
        if first_visits or (usual == "inpatient" and i >= 8):  # home after clinic, then discharged
            setting = "clinic"
        minute = _minute_of_day(rng, setting)
        if offset == previous_day:  # the second dose of the day comes hours after the first
            minute = min(previous_minute + 5 * rng.randint(24, 48), 1435)
        previous_day, previous_minute = offset, minute
        weight = round(person.weight_kg + rng.random() - rng.random(), 1)  # day-to-day drift
        if i % 6 == 5:
            lot = _lot(rng, regimen)
        sessions.append(
            Session(
                at_s=clock.instant(day, minute),
                regimen=regimen,
                dose_mg=regimen.dose_mg(level, weight),
                setting=setting,
                weight_kg=weight if records_weight and rng.random() < 0.95 else None,
                lot_number=lot if rng.random() < regimen.lot_share else None,
            )
        )
    return sessions


def _minute_of_day(rng: random.Random, setting: str) -> int:
    """Local minute after midnight (five-minute grid) at which a session in a setting starts."""
    roll = rng.random()
    if setting == "clinic":
        return 480 + 5 * int(roll * 102)  # 08:00-16:25
    if setting == "inpatient":  # a few late doses just after midnight
        return 5 + 5 * int(roll * 22) if roll < 0.08 else 480 + 5 * int(rng.random() * 144)
    if setting == "home-supervised":
        return 540 + 5 * int(roll * 132)
    return 5 * int(roll * 24) if roll < 0.12 else 1080 + 5 * int(rng.random() * 71)


def _lot(rng: random.Random, regimen: Regimen) -> str:
    """An invented manufacturer batch number."""
    return f"{_LOT_PREFIX[regimen.drug]}{rng.randrange(16**6):06X}"


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(tuple(weights), tuple(weights.values()))[0]


def _early_reason(
    rng: random.Random,
    profile: CountryProfile,
    person: Person,
    improvement: float,
    regimen: Regimen,
) -> str:
    caf = profile.cost_access_factor
    # About 4.6% of adults and 5.6% of older adults stop esketamine induction for an adverse
    # reaction (docs/synthetic-data.md); gentler regimens (oral) less often.
    tolerability = regimen.adverse_event_factor * (1.25 if person.age >= 65 else 1.0)
    return _pick(
        rng,
        {
            "lack-of-efficacy": 2.0 if improvement < 0.25 else 0.3,
            "adverse-event": 5.5 * tolerability,
            "patient-choice": 1.0,
            "access": 0.5 * caf,
            "cost": 0.5 * caf,
            "lost-to-follow-up": 0.5,
            "pregnancy": 0.2 if person.sex == "female" and person.age < 45 else 0.0,
            "other": 0.3,
        },
    )


def _after_induction_reason(rng: random.Random, profile: CountryProfile, improvement: float) -> str:
    caf = profile.cost_access_factor
    return _pick(
        rng,
        {
            "lack-of-efficacy": 4.0 if improvement < 0.3 else 0.5,
            "remission": 3.0 if improvement > 0.7 else 0.2,
            "patient-choice": 1.0,
            "cost": 0.6 * caf,
            "access": 0.6 * caf,
            "lost-to-follow-up": 0.4,
            "other": 0.2,
        },
    )


def _maintenance_end_reason(rng: random.Random, profile: CountryProfile, person: Person) -> str:
    caf = profile.cost_access_factor
    return _pick(
        rng,
        {
            "relapse": 1.0,
            "remission": 1.2,
            "patient-choice": 1.0,
            "cost": 0.6 * caf,
            "access": 0.6 * caf,
            "lack-of-efficacy": 0.5,
            "lost-to-follow-up": 0.5,
            "adverse-event": 0.08,
            "misuse-concern": 0.6 if person.substance_use_history == "yes" else 0.1,
            "pregnancy": 0.1 if person.sex == "female" and person.age < 45 else 0.0,
            "other": 0.3,
        },
    )

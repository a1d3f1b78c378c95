"""Adverse events: common reactions around sessions and rare, sometimes serious, events later on.

Session reactions are calibrated to the share of patients who report them over an induction course
in the esketamine trials (dissociation 41%, dizziness 29%, nausea 28%, sedation 23%, headache 20%,
raised blood pressure 10%, vomiting 9%: ``app.synth.calibration``, docs/synthetic-data.md): the
chance per session starts at ``rate`` and falls by ``SESSION_DECAY`` at every later session (the
reactions attenuate with repeated dosing), scaled by the regimen and the patient's susceptibility;
most are linked to their session, some are not (so 30-day attribution matters). Rare events start days after a dose,
a few more than 30 days after the last one; fatal, serious or misuse events may end the course.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from app.synth.courses import Course, Session
from app.synth.patients import Person
from app.synth.timeline import LocalClock

# event: (chance at the first session, onset minutes after the dose (low, high), cumulative
# severity weights). Over a course the chances sum to about rate / (1 - SESSION_DECAY), so the
# share of patients with the event is about 1 - exp(-4 * rate): 0.135 gives 41%.
_SESSION_EVENTS: tuple[tuple[str, float, int, int, tuple[float, float, float]], ...] = (
    ("dissociation", 0.135, 5, 40, (0.7, 0.95, 1.0)),
    ("sedation", 0.066, 10, 60, (0.75, 0.97, 1.0)),
    ("nausea", 0.083, 10, 120, (0.7, 0.97, 1.0)),
    ("vomiting", 0.024, 15, 120, (0.5, 0.95, 1.0)),
    ("dizziness", 0.087, 5, 60, (0.75, 0.98, 1.0)),
    ("headache", 0.057, 30, 240, (0.7, 0.97, 1.0)),
    ("hypertension", 0.027, 5, 45, (0.5, 0.9, 1.0)),
)
SESSION_DECAY = 0.75
"""Each later session keeps this share of the previous one's chance of a reaction."""

# event: (probability per course, cumulative severity weights, P(serious), P(fatal))
_RARE_EVENTS: dict[str, tuple[float, tuple[float, float, float], float, float]] = {
    "suicidal-ideation": (0.04, (0.3, 0.8, 1.0), 0.3, 0.0),
    "suicide-attempt": (0.004, (0.0, 0.2, 1.0), 1.0, 0.08),
    "cystitis": (0.003, (0.25, 0.85, 1.0), 0.15, 0.0),
    "hepatotoxicity": (0.004, (0.2, 0.7, 1.0), 0.4, 0.0),
    "psychotic-symptoms": (0.005, (0.2, 0.7, 1.0), 0.4, 0.0),
    "mania": (0.003, (0.2, 0.7, 1.0), 0.4, 0.0),
    "cognitive-impairment": (0.005, (0.6, 0.95, 1.0), 0.05, 0.0),
    "respiratory-depression": (0.002, (0.0, 0.5, 1.0), 0.9, 0.03),
    "misuse": (0.004, (0.4, 0.9, 1.0), 0.1, 0.0),
    "dependence": (0.003, (0.1, 0.7, 1.0), 0.3, 0.0),
    "diversion": (0.0005, (0.5, 1.0, 1.0), 0.05, 0.0),
    "other": (0.015, (0.6, 0.95, 1.0), 0.05, 0.0),
}
_RARE_OUTCOMES = ("recovered", "recovering", "not-recovered", "recovered-with-sequelae", "unknown")
_RARE_OUTCOME_CUM = (0.55, 0.75, 0.85, 0.9, 1.0)
_MISUSE = frozenset({"misuse", "dependence", "diversion"})


@dataclass(slots=True)
class EventDraft:
    """An adverse event before it gets its id; ``session`` is the linked session, if any."""

    onset_s: int
    event: str
    severity: str
    serious: bool
    outcome: str
    session: Session | None
    origin_s: int
    """When the dose it followed was given (whether or not the report links it)."""


def rare_events(
    rng: random.Random, clock: LocalClock, person: Person, course: Course
) -> list[EventDraft]:
    """Return the course's rare events; a fatal, serious or misuse event may end it early."""
    drafts: list[EventDraft] = []
    sessions = course.sessions
    home = any(s.regimen.home_based for s in sessions)
    for event, (base, severity_cum, p_serious, p_fatal) in _RARE_EVENTS.items():
        if rng.random() >= base * _rare_factor(event, person, course, home):
            continue
        last = rng.random() < 0.15
        anchor = sessions[-1] if last else rng.choice(sessions)
        if event == "respiratory-depression":
            delay_s = rng.randint(10, 40) * 60
        else:
            delay_s = rng.randint(3 if last else 1, 60 if last else 25) * 86400
            delay_s += rng.randrange(-8 * 3600, 8 * 3600, 300)
        onset = anchor.at_s + delay_s
        if onset >= clock.cutoff_s:
            continue
        fatal = rng.random() < p_fatal
        linked = delay_s <= 30 * 86400 and rng.random() < (0.95 if delay_s < 3600 else 0.4)
        drafts.append(
            EventDraft(
                onset_s=onset,
                event=event,
                severity=_severity(rng.random(), severity_cum),
                serious=fatal or rng.random() < p_serious,
                outcome="fatal"
                if fatal
                else rng.choices(_RARE_OUTCOMES, cum_weights=_RARE_OUTCOME_CUM)[0],
                session=anchor if linked else None,
                origin_s=anchor.at_s,
            )
        )
    drafts.sort(key=lambda d: d.onset_s)
    for i, draft in enumerate(drafts):
        reason = _stop_reason(rng, draft)
        if reason is not None:
            _end_course(rng, clock, course, draft.onset_s, reason)
            return drafts[: i + 1]  # later events would follow doses that are no longer given
    return drafts


def session_events(rng: random.Random, sessions: list[Session]) -> list[EventDraft]:
    """Return the reactions to each session (dissociation, sedation, nausea, …)."""
    drafts: list[EventDraft] = []
    uniform = rng.random
    susceptibility = rng.uniform(0.6, 1.4)
    for i, session in enumerate(sessions):
        scale = susceptibility * session.regimen.adverse_event_factor * SESSION_DECAY**i
        for event, rate, low, high, severity_cum in _SESSION_EVENTS:
            if uniform() >= rate * scale:
                continue
            severity = _severity(uniform(), severity_cum)
            roll = uniform()
            drafts.append(
                EventDraft(
                    onset_s=session.at_s + 60 * (low + int(uniform() * (high - low + 1))),
                    event=event,
                    severity=severity,
                    serious=severity == "severe" and roll < 0.05,
                    outcome="recovered"
                    if roll < 0.94
                    else "recovering"
                    if roll < 0.96
                    else "unknown",
                    session=session if uniform() < 0.9 else None,
                    origin_s=session.at_s,
                )
            )
    return drafts


def _rare_factor(event: str, person: Person, course: Course, home: bool) -> float:
    """How much likelier a rare event is for this patient (``home``: takes doses at home)."""
    if event == "cystitis":
        return 8.0 if home and course.maintained else 1.0
    if event == "psychotic-symptoms":
        return 4.0 if person.psychosis_history == "yes" else 1.0
    if event == "mania":
        return 20.0 if person.bipolar else 1.0
    if event == "respiratory-depression":
        return 1.0 if course.sessions[0].regimen.route in ("iv", "im") else 0.0
    if event in _MISUSE:
        return (5.0 if home else 1.0) * (3.0 if person.substance_use_history == "yes" else 1.0)
    return 1.0


def _severity(roll: float, cumulative: tuple[float, float, float]) -> str:
    """The severity a uniform draw picks from cumulative (mild, moderate, severe) weights."""
    return "mild" if roll < cumulative[0] else "moderate" if roll < cumulative[1] else "severe"


def _stop_reason(rng: random.Random, draft: EventDraft) -> str | None:
    """The discontinuation reason this event causes, if it ends the course."""
    if draft.outcome == "fatal":
        return "death"
    if draft.event in _MISUSE and rng.random() < 0.6:
        return "misuse-concern"
    if draft.serious and rng.random() < 0.6:
        return "adverse-event"
    return None


def _end_course(
    rng: random.Random, clock: LocalClock, course: Course, onset_s: int, reason: str
) -> None:
    """Drop the sessions after an event and record the stop (unless past the cut-off)."""
    course.sessions = [s for s in course.sessions if s.at_s <= onset_s]
    course.maintained = course.maintained and len(course.sessions) > 8
    stop_s = onset_s + (0 if reason == "death" else rng.randint(0, 7) * 86400)
    if stop_s < clock.cutoff_s:
        course.stop_reason, course.stop_s = reason, stop_s
    else:
        course.stop_reason, course.stop_s = None, None

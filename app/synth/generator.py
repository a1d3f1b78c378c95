"""Patient-by-patient generation of a synthetic national registry, deterministic for a seed.

Each patient draws from their own ``random.Random`` seeded by (country, seed, patient number), so a
smaller export is a prefix of a larger one with the same seed, and nothing depends on the global
random state or the clock. Record ids are running numbers, unique within the export.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from app.synth.countries import CountryProfile, country_profile
from app.synth.courses import Course, plan_course
from app.synth.dispensing import take_home_supplies
from app.synth.experience import VoiceCounters, add_patient_voice
from app.synth.outcomes import course_scores, liver_tests, session_measurements
from app.synth.patients import draw_person, patient_row
from app.synth.records import (
    AdministrationRow,
    AdverseEventRow,
    DiscontinuationRow,
    DispenseRow,
    ObservationRow,
    PatientBundle,
    ReviewRow,
)
from app.synth.regimens import REGIMENS, Regimen
from app.synth.reviews import bladder_scores, review_times, session_blood_pressure
from app.synth.safety import EventDraft, rare_events, session_events
from app.synth.seeds import derive_seed
from app.synth.timeline import (
    FIRST_START_DAY,
    LAST_START_DAY,
    START_SPAN_DAYS,
    LocalClock,
)
from app.synth.travellers import Traveller, TravellerOptions, TravellerSlots

_NO_RESTART = frozenset({"death", "misuse-concern", "pregnancy"})
STOP_RECORDED_SHARE = 0.7
"""Share of course stops the registry records (clinicians often leave the reason unwritten)."""


class _Counters:
    """Running numbers for the record ids of one export."""

    __slots__ = ("administration", "dispense", "event", "observation", "review")

    def __init__(self) -> None:
        self.administration = self.dispense = self.event = self.observation = 0
        self.review = 0


def generate_patients(
    *, country: str, patients: int, seed: int, travellers: TravellerOptions | None = None
) -> Iterator[PatientBundle]:
    """Yield the records of each synthetic patient in turn; raises InputError for a bad country.

    With ``travellers``, some patients are members of the network's traveller pool (``travellers``
    module): their name, birth date and sex are the pool's, their treatment this country's own.
    """
    profile = country_profile(country)
    clock = LocalClock(profile.time_zone)
    salt = derive_seed(profile.code, seed, "national-id") % 100_000_000
    counters = _Counters()
    voice_counters = VoiceCounters()
    slots = TravellerSlots(profile.code, seed, travellers) if travellers is not None else None
    for index in range(patients):
        rng = random.Random(derive_seed(profile.code, seed, index))
        traveller = slots.traveller_at(index) if slots is not None else None
        bundle = _patient(
            rng, profile, clock, counters, index=index, salt=salt, traveller=traveller
        )
        voice = random.Random(derive_seed(profile.code, seed, "voice", index))
        add_patient_voice(bundle, voice, clock, voice_counters)
        yield bundle


def _patient(
    rng: random.Random,
    profile: CountryProfile,
    clock: LocalClock,
    counters: _Counters,
    *,
    index: int,
    salt: int,
    traveller: Traveller | None = None,
) -> PatientBundle:
    """One patient's records: identity, then one course (rarely two) with everything it entails."""
    first_day = FIRST_START_DAY + timedelta(days=rng.randrange(START_SPAN_DAYS + 1))
    identity = (traveller.sex, traveller.birth) if traveller is not None else None
    person = draw_person(rng, profile, first_day, identity=identity)
    patient_id = f"{profile.code}-P{index + 1:06d}"
    row = patient_row(rng, profile, person, patient_id=patient_id, index=index, salt=salt)
    if traveller is not None:
        row = row._replace(family_name=traveller.family_name, given_name=traveller.given_name)
    bundle = PatientBundle(row, pool_index=traveller.pool_index if traveller else None)
    regimen = _draw_regimen(rng, profile)
    day = first_day
    while True:
        course = plan_course(rng, profile, clock, person, regimen=regimen, first_day=day)
        drafts = rare_events(rng, clock, person, course)
        drafts += session_events(rng, course.sessions)
        next_day = _restart_day(rng, clock, course)
        end_s = clock.cutoff_s  # nothing after death or the data cut-off
        if course.stop_reason == "death" and course.stop_s is not None:
            end_s = course.stop_s + 1
        drafts = [d for d in drafts if d.onset_s < end_s]
        if next_day is not None:  # the new course's baseline and scores take over
            end_s = min(end_s, clock.instant(next_day, 0))
        _add_course(rng, clock, counters, bundle, course, drafts, end_s)
        if next_day is None:
            return bundle
        day = next_day
        if rng.random() < 0.4:
            regimen = _draw_regimen(rng, profile)


def _restart_day(rng: random.Random, clock: LocalClock, course: Course) -> date | None:
    """The first day of a new course some months after this one stopped, for a few patients."""
    if course.stop_s is None or course.stop_reason in _NO_RESTART or rng.random() >= 0.07:
        return None
    day = clock.local_day(course.stop_s) + timedelta(days=rng.randint(60, 240))
    return day if day <= LAST_START_DAY else None


def _draw_regimen(rng: random.Random, profile: CountryProfile) -> Regimen:
    """A regimen from the country's case mix."""
    key = rng.choices(profile.regimen_keys, cum_weights=profile.regimen_cum_weights)[0]
    return REGIMENS[key]


def _add_course(
    rng: random.Random,
    clock: LocalClock,
    counters: _Counters,
    bundle: PatientBundle,
    course: Course,
    drafts: list[EventDraft],
    end_s: int,
) -> None:
    """Append a course's administrations, dispenses, events, observations and stop to the bundle."""
    pid, iso = bundle.patient.patient_id, clock.iso
    prefix = pid.partition("-")[0]
    ids: dict[int, str] = {}  # id(session) -> administration_id
    for s in course.sessions:
        counters.administration += 1
        ids[id(s)] = f"{prefix}-A{counters.administration:07d}"
        bundle.administrations.append(
            AdministrationRow(
                ids[id(s)], pid, iso(s.at_s), s.regimen.drug, s.regimen.route, s.dose_mg,
                s.weight_kg, s.setting, s.lot_number,
            )
        )  # fmt: skip
    for at_s, regimen, quantity_mg, days in take_home_supplies(rng, clock, course.sessions):
        counters.dispense += 1
        bundle.dispenses.append(
            DispenseRow(
                f"{prefix}-D{counters.dispense:06d}", pid, iso(at_s), regimen.drug, regimen.route,
                quantity_mg, days,
            )
        )  # fmt: skip
    drafts.sort(key=lambda d: (d.onset_s, d.event))
    for d in drafts:
        counters.event += 1
        linked = ids.get(id(d.session)) if d.session is not None else None
        bundle.adverse_events.append(
            AdverseEventRow(
                f"{prefix}-E{counters.event:07d}", pid, iso(d.onset_s), d.event, d.severity,
                "yes" if d.serious else "no", d.outcome, linked,
            )
        )  # fmt: skip
    observations = course_scores(rng, clock, course, end_s)
    observations += session_measurements(rng, course.sessions, drafts)
    observations += liver_tests(rng, course, drafts, end_s)
    observations += session_blood_pressure(rng, course) + bladder_scores(rng, course, end_s)
    observations = sorted((o for o in observations if o[0] < end_s), key=lambda o: (o[0], o[1]))
    for at_s, code, value, unit in observations:
        counters.observation += 1
        observation_id = f"{prefix}-O{counters.observation:08d}"
        bundle.observations.append(
            ObservationRow(observation_id, pid, iso(at_s), code, value, unit)
        )
    take_home = any(d.patient_id == pid for d in bundle.dispenses)
    for at_s in review_times(rng, course, end_s, take_home=take_home):
        counters.review += 1
        bundle.reviews.append(ReviewRow(f"{prefix}-R{counters.review:07d}", pid, iso(at_s)))
    if course.stop_reason is not None and course.stop_s is not None and _stop_recorded(rng):
        last = course.sessions[-1].regimen
        sequence = len(bundle.discontinuations) + 1
        bundle.discontinuations.append(
            DiscontinuationRow(
                pid, iso(course.stop_s), course.stop_reason, sequence, last.drug, last.route
            )
        )


def _stop_recorded(rng: random.Random) -> bool:
    """Return whether the registry records this course's stop and its reason."""
    return rng.random() < STOP_RECORDED_SHARE

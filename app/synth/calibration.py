"""Published figures the synthetic data is calibrated to, and the same figures measured on it.

``PUBLISHED`` holds each figure with its source (docs/synthetic-data.md cites them in full);
``measured_rates`` computes the same figures on synthetic patients, so that a test can print
both side by side (``tests/synth/test_synth_realism.py``, ``tests/synth/test_synth_courses.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from app.synth.records import PatientBundle

SPRAVATO_LABEL = (
    "SPRAVATO (esketamine) nasal spray, US prescribing information, Janssen: adverse reactions "
    "in at least 5% of patients in the short-term (4-week) TRD trials, esketamine + oral "
    "antidepressant"
)


@dataclass(frozen=True)
class PublishedFigure:
    """A share of patients with an event over a course, as published, and where."""

    event: str
    share: float
    source: str


PUBLISHED: tuple[PublishedFigure, ...] = (
    PublishedFigure("dissociation", 0.41, SPRAVATO_LABEL),
    PublishedFigure("dizziness", 0.29, SPRAVATO_LABEL),
    PublishedFigure("nausea", 0.28, SPRAVATO_LABEL),
    PublishedFigure("sedation", 0.23, SPRAVATO_LABEL),
    PublishedFigure("headache", 0.20, SPRAVATO_LABEL),
    PublishedFigure("hypertension", 0.10, SPRAVATO_LABEL + " (blood pressure increased)"),
    PublishedFigure("vomiting", 0.09, SPRAVATO_LABEL),
)
"""Shares of patients with each session reaction over an induction course."""


@dataclass(frozen=True)
class MeasuredRates:
    """Figures measured on synthetic patients."""

    patients: int
    administrations: int
    events: int
    patients_with_event: int
    share_by_event: dict[str, float]

    @property
    def events_per_administration(self) -> float:
        """Return adverse events per administration (well below one, as in practice)."""
        return self.events / self.administrations if self.administrations else 0.0

    @property
    def share_with_any_event(self) -> float:
        """Return the share of patients with at least one adverse event."""
        return self.patients_with_event / self.patients if self.patients else 0.0


def measured_rates(
    bundles: Iterable[PatientBundle], *, regimen: tuple[str, str] | None = None
) -> MeasuredRates:
    """Return the share of patients with each event, and events per administration.

    With ``regimen`` (drug, route), only patients whose first administration has it count: the
    published figures are those of intranasal esketamine, other regimens differ (oral ketamine
    dissociates less, intravenous more).
    """
    patients = administrations = events = with_event = 0
    by_event: dict[str, int] = {}
    for bundle in bundles:
        first = bundle.administrations[0] if bundle.administrations else None
        if regimen is not None and (first is None or (first.drug, first.route) != regimen):
            continue
        patients += 1
        administrations += len(bundle.administrations)
        events += len(bundle.adverse_events)
        kinds = {event.event for event in bundle.adverse_events}
        with_event += bool(kinds)
        for kind in kinds:
            by_event[kind] = by_event.get(kind, 0) + 1
    shares = {kind: count / patients for kind, count in by_event.items()} if patients else {}
    return MeasuredRates(patients, administrations, events, with_event, shares)


SPRAVATO_STOPS = (
    "SPRAVATO US prescribing information, section 6.1: discontinuation because of an adverse "
    "reaction"
)
SPRAVATO_DOSING = "SPRAVATO US prescribing information, section 2 (dosage and administration)"
TRANSFORM_2_DOSE = "Popova et al., Am J Psychiatry 2019 (TRANSFORM-2), dose at the end of induction"


@dataclass(frozen=True)
class CourseTarget:
    """A published share about intranasal esketamine courses and how close synthetic data must be.

    ``approximate`` marks a figure quoted from memory of the source rather than checked against it
    (docs/synthetic-data.md says why it is plausible).
    """

    key: str
    label: str
    share: float
    tolerance: float
    source: str
    approximate: bool = False


COURSE_TARGETS: tuple[CourseTarget, ...] = (
    CourseTarget(
        "stop-ae-induction-adult", "stop for an adverse event, induction, <65", 0.046, 0.02,
        SPRAVATO_STOPS + " (short-term studies, adults under 65)",
    ),
    CourseTarget(
        "stop-ae-induction-older", "stop for an adverse event, induction, 65+", 0.056, 0.04,
        SPRAVATO_STOPS + " (short-term study, adults 65 and over)",
    ),
    CourseTarget(
        "stop-ae-maintenance", "stop for an adverse event, maintenance", 0.026, 0.02,
        SPRAVATO_STOPS + " (maintenance study, maintenance phase)",
    ),
    CourseTarget(
        "first-56-adult", "first dose 56 mg, <65", 1.0, 0.02, SPRAVATO_DOSING,
    ),
    CourseTarget(
        "first-28-older", "first dose 28 mg, 65+", 1.0, 0.05, SPRAVATO_DOSING,
    ),
    CourseTarget(
        "eight-in-induction", "8 sessions in weeks 1-4 (twice weekly)", 1.0, 0.1,
        SPRAVATO_DOSING + " (patients continuing past week 4)",
    ),
    CourseTarget(
        "84-end-induction", "on 84 mg at the 8th session, <65", 0.67, 0.1, TRANSFORM_2_DOSE,
        approximate=True,
    ),
    CourseTarget(
        "supervised", "sessions under supervision (no home dosing)", 1.0, 0.0,
        SPRAVATO_DOSING + " (administered under the supervision of a healthcare provider)",
    ),
)  # fmt: skip
"""Dosing pattern and discontinuation figures of intranasal esketamine courses."""


def _age_at(birth_date: str, at: str) -> int:
    born = tuple(int(part) for part in birth_date.split("-"))
    on = tuple(int(part) for part in at[:10].split("-"))
    return on[0] - born[0] - (on[1:] < born[1:])


def _day_number(at: str) -> int:
    return date.fromisoformat(at[:10]).toordinal()  # the local date the registry wrote


def measured_course_figures(
    bundles: Iterable[PatientBundle], *, recorded_share: float, last_start: date
) -> tuple[dict[str, float], dict[str, int]]:
    """Return the ``COURSE_TARGETS`` figures measured on patients' first intranasal esketamine course.

    Only patients whose first course started on or before ``last_start`` count, so that the
    course could end before the data cut-off. A registry records only ``recorded_share`` of the
    stops, so stop shares are the recorded ones divided by it (the trials count every patient).
    Returns the figures and the number of patients behind each.
    """
    hits: dict[str, int] = {target.key: 0 for target in COURSE_TARGETS}
    counts: dict[str, int] = dict.fromkeys(hits, 0)
    for bundle in bundles:
        first = bundle.administrations[0] if bundle.administrations else None
        if first is None or (first.drug, first.route) != ("esketamine", "intranasal"):
            continue
        if _day_number(first.administered_at) > last_start.toordinal():
            continue
        older = _age_at(bundle.patient.birth_date, first.administered_at) >= 65
        stop = bundle.discontinuations[0] if bundle.discontinuations else None
        course = [
            a
            for a in bundle.administrations
            if (a.drug, a.route) == ("esketamine", "intranasal")
            and (stop is None or a.administered_at[:19] <= stop.stopped_at[:19])
        ]

        def tally(key: str, hit: bool) -> None:
            counts[key] += 1
            hits[key] += hit

        ae_stop = stop is not None and stop.reason == "adverse-event"
        tally("stop-ae-induction-older" if older else "stop-ae-induction-adult",
              ae_stop and len(course) < 8)  # fmt: skip
        if len(course) > 8:
            tally("stop-ae-maintenance", ae_stop)
        tally("first-28-older" if older else "first-56-adult",
              first.dose_mg == (28 if older else 56))  # fmt: skip
        start = _day_number(first.administered_at)
        if any(_day_number(a.administered_at) - start >= 28 for a in course):
            weeks_1_to_4 = [a for a in course if _day_number(a.administered_at) - start < 28]
            tally("eight-in-induction", len(weeks_1_to_4) in (8, 9))  # 9: a doubled-up date
        if len(course) >= 8 and not older:
            tally("84-end-induction", course[7].dose_mg == 84)
        for a in course:
            tally("supervised", not a.setting.startswith("home"))
    figures = {}
    for key, count in counts.items():
        share = hits[key] / count if count else 0.0
        figures[key] = share / recorded_share if key.startswith("stop-") else share
    return figures, counts


def first_iv_dose_per_kg(bundles: Iterable[PatientBundle]) -> dict[float, int]:
    """Return how many intravenous ketamine courses start at each mg/kg (weight recorded)."""
    doses: dict[float, int] = {}
    for bundle in bundles:
        first = bundle.administrations[0] if bundle.administrations else None
        if first is None or (first.drug, first.route) != ("ketamine", "iv") or not first.weight_kg:
            continue
        per_kg = round(first.dose_mg / first.weight_kg, 2)
        doses[per_kg] = doses.get(per_kg, 0) + 1
    return doses

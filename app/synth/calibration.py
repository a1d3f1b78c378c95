"""Published figures the synthetic data is calibrated to, and the same figures measured on it.

``PUBLISHED`` holds each figure with its source (docs/synthetic-data.md cites them in full);
``measured_rates`` computes the same figures on synthetic patients, so that a test can print
both side by side (``tests/synth/test_synth_calibration.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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

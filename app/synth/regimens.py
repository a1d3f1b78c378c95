"""Treatment regimens a registry sees: drug, route, dose rule, settings and propensities."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Regimen:
    """A way of giving (es)ketamine; doses are mg/kg levels or fixed mg levels, lowest first."""

    key: str
    drug: str
    route: str
    mg_per_kg_levels: tuple[float, ...]
    fixed_mg_levels: tuple[float, ...]
    settings: tuple[str, ...]
    setting_weights: tuple[float, ...]
    lot_share: float
    weight_share: float
    adverse_event_factor: float

    @property
    def weight_based(self) -> bool:
        """Return whether the dose is computed from body weight."""
        return bool(self.mg_per_kg_levels)

    @property
    def home_based(self) -> bool:
        """Return whether sessions after the first clinic visits may take place at home."""
        return "home-unsupervised" in self.settings

    def level_count(self) -> int:
        """Return how many dose levels the regimen titrates through."""
        return len(self.mg_per_kg_levels or self.fixed_mg_levels)

    def dose_mg(self, level: int, weight_kg: float) -> float:
        """Return the dose at a titration level for a patient of this weight."""
        if self.mg_per_kg_levels:
            return round(self.mg_per_kg_levels[level] * weight_kg, 1)
        return self.fixed_mg_levels[level]


_CLINIC = ("clinic", "inpatient")


def _regimen(
    key: str,
    *,
    per_kg: tuple[float, ...] = (),
    fixed: tuple[float, ...] = (),
    settings: tuple[str, ...] = _CLINIC,
    weights: tuple[float, ...] = (0.85, 0.15),
    lot_share: float = 0.3,
    ae_factor: float = 1.0,
) -> Regimen:
    drug, route = key.split("-")
    return Regimen(
        key=key,
        drug=drug,
        route=route,
        mg_per_kg_levels=per_kg,
        fixed_mg_levels=fixed,
        settings=settings,
        setting_weights=weights,
        lot_share=lot_share,
        weight_share=0.97 if per_kg else 0.7,
        adverse_event_factor=ae_factor,
    )


_HOME = ("home-unsupervised", "home-supervised", "clinic")

REGIMENS: dict[str, Regimen] = {
    r.key: r
    for r in (
        _regimen("ketamine-iv", per_kg=(0.5, 0.75, 1.0), ae_factor=1.1),
        _regimen("ketamine-im", per_kg=(0.5, 0.75, 1.0), weights=(0.9, 0.1), ae_factor=1.1),
        _regimen(
            "ketamine-sc",
            per_kg=(0.5, 0.75, 1.0),
            settings=("clinic", "home-supervised", "inpatient"),
            weights=(0.7, 0.2, 0.1),
            ae_factor=0.95,
        ),
        _regimen(
            "ketamine-oral",
            fixed=(50, 75, 100, 150, 200, 250, 300),
            settings=_HOME,
            weights=(0.7, 0.2, 0.1),
            lot_share=0.15,
            ae_factor=0.55,
        ),
        _regimen(
            "ketamine-sublingual",
            fixed=(25, 50, 75, 100, 150),
            settings=_HOME,
            weights=(0.65, 0.2, 0.15),
            lot_share=0.15,
            ae_factor=0.65,
        ),
        _regimen(
            "ketamine-intranasal",
            fixed=(50, 75, 100),
            settings=("clinic", "home-supervised"),
            weights=(0.65, 0.35),
            lot_share=0.2,
            ae_factor=0.9,
        ),
        _regimen(
            "esketamine-intranasal",
            fixed=(28, 56, 84),
            weights=(0.9, 0.1),
            lot_share=0.8,
        ),
        _regimen("esketamine-iv", per_kg=(0.25, 0.5), weights=(0.8, 0.2), lot_share=0.4),
        _regimen(
            "arketamine-iv", per_kg=(0.5, 1.0), weights=(1.0, 0.0), lot_share=0.9, ae_factor=0.7
        ),
    )
}


def starting_level(rng: random.Random, regimen: Regimen, age: int) -> int:
    """Return the titration level of a patient's first dose."""
    if regimen.key == "esketamine-intranasal":
        return 0 if age >= 65 else 1
    top = min(regimen.level_count() - 1, 3)
    return 0 if rng.random() < 0.75 else rng.randint(0, top)


def choose_setting(rng: random.Random, regimen: Regimen) -> str:
    """Return the usual setting of a patient's sessions on this regimen."""
    return rng.choices(regimen.settings, regimen.setting_weights)[0]


def step_up(regimen: Regimen) -> float:
    """Return the chance of moving up one dose level at the second, fifth and ninth session.

    Intranasal esketamine goes from 56 to 84 mg for about two thirds of adults by the end of
    induction (docs/synthetic-data.md); other regimens titrate more cautiously.
    """
    return 0.42 if regimen.key == "esketamine-intranasal" else 0.3

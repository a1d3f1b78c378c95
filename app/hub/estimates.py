"""The ``statistics`` of the query output (``docs/statistics.md``), from count intervals.

Proportions get Wilson 95% intervals, rates exact (Garwood) Poisson intervals, per country and for
``ALL``, on group totals and per stratum. A stratum's denominator is the same stratum of the
denominator population when that population has the stratifier, else its group total (e.g. events
by ``event`` per 1,000 administrations). When an input is not exact (masked, rounded, noised, or a
pooled sum of such) no point estimate is given: ``estimate``, ``ci_low`` and ``ci_high`` are null,
``lower_bound``/``upper_bound`` bound the figure from the count intervals (``upper_bound`` null when
unbounded) and ``note`` names the inputs. On exact inputs both bounds equal the estimate. Inputs
that are perturbed by cell keys (or exact) are zero-mean estimates of the truth: the estimate and
its interval are computed from the published counts, the bounds from the count intervals, and
``note`` says which inputs were perturbed; the meta-analysis takes such countries too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from app.disclosure.bounds import Bounded
from app.hub.document import MetaAnalysisRow, StatisticRow, StudyRow
from app.hub.figures import Figures
from app.hub.meta_analysis import dersimonian_laird
from app.hub.stats import rate_with_interval, wilson_interval


@dataclass(frozen=True)
class StatisticSpec:
    """A statistic: ``numerator / denominator`` as a proportion, or as a rate ``per`` units."""

    statistic: str
    numerator: str
    denominator: str
    kind: Literal["proportion", "rate"] = "proportion"
    per: float = 1.0


MEASURE_STATISTICS: dict[str, tuple[StatisticSpec, ...]] = {
    "efficacy": (
        StatisticSpec("response", "responders", "denominator"),
        StatisticSpec("remission", "remitters", "denominator"),
        StatisticSpec("remission-12", "remitters-12", "denominator"),
    ),
    "discontinuations": (StatisticSpec("discontinued", "discontinued", "treated-patients"),),
    "guideline-adherence": (
        StatisticSpec("short-interval", "patients-short-interval", "treated-patients"),
        StatisticSpec("take-home", "patients-take-home", "treated-patients"),
    ),
    "adverse-events": (
        StatisticSpec("events-per-1000-administrations", "events", "administrations", "rate", 1000),
        StatisticSpec(
            "patients-with-event-per-100", "patients-with-event", "treated-patients", "rate", 100
        ),
    ),
    "informed-consent": tuple(
        StatisticSpec(kind, kind, "treated-patients")
        for kind in ("written-consent", "information-sheet", "alternatives-discussed")
    ),
    "safety-signals": (
        StatisticSpec("bp-rise", "administrations-bp-rise", "administrations-bp-checked"),
        StatisticSpec("severe-bp", "administrations-severe-bp", "administrations-bp-checked"),
        StatisticSpec("lft-3x-uln", "patients-lft-3x-uln", "patients-lft-checked"),
        StatisticSpec("bladder-positive", "patients-bladder-positive", "patients-bladder-screened"),
    ),
    "review-intervals": (
        StatisticSpec("dispenses-unreviewed", "dispenses-unreviewed", "dispenses"),
        StatisticSpec("patients-unreviewed", "patients-unreviewed", "patients-take-home"),
    ),
}

_STATUS_WORDS = {"unreported": "stratifier not reported"}


def describe_inexact(inputs: dict[str, Bounded]) -> str:
    """Return a note naming each input population that is not exact, how, and in which countries."""
    parts: list[str] = []
    for population, bound in inputs.items():
        by_status: dict[str, list[str]] = {}
        for country, status in bound.inexact:
            by_status.setdefault(status, []).append(country)
        for status, countries in by_status.items():
            word = _STATUS_WORDS.get(status, status)
            parts.append(f"{population} {word} ({', '.join(dict.fromkeys(countries))})")
    return "inputs not exact, no point estimate: " + "; ".join(parts)


def _ratio_bounds(
    spec: StatisticSpec, num: Bounded, den: Bounded
) -> tuple[float | None, float | None]:
    """Return the lowest and highest value of the statistic the count intervals allow."""
    if den.upper <= 0:
        return None, None
    low = num.lower / den.upper * spec.per
    high = num.upper / den.lower * spec.per if den.lower > 0 else None
    if spec.kind == "proportion":
        # A numerator population is a subset of its denominator: the proportion is at most 1.
        low, high = min(1.0, low), 1.0 if high is None else min(1.0, high)
    return low, high


def estimate_row(
    country: str,
    stratifier: str | None,
    stratum: str | None,
    spec: StatisticSpec,
    num: Bounded,
    den: Bounded,
) -> StatisticRow:
    """Return one statistics row for ``spec`` from the numerator's and denominator's intervals."""
    row = StatisticRow(
        country=country, stratifier=stratifier, stratum=stratum,
        statistic=spec.statistic, numerator=spec.numerator, denominator=spec.denominator,
        estimate=None, ci_low=None, ci_high=None,
        method="wilson" if spec.kind == "proportion" else "garwood",
        lower_bound=None, upper_bound=None, note=None,
    )  # fmt: skip
    if num.estimate is None or den.estimate is None:
        low, high = _ratio_bounds(spec, num, den)
        note = describe_inexact({spec.numerator: num, spec.denominator: den})
        return row.model_copy(update={"lower_bound": low, "upper_bound": high, "note": note})
    perturbed = not (num.exact and den.exact)
    events, total = num.estimate, den.estimate
    if total == 0:
        return row.model_copy(update={"note": "zero denominator"})
    if spec.kind == "proportion":
        if events > total:
            return row.model_copy(update={"note": "numerator exceeds denominator"})
        estimate = events / total
        low, high = wilson_interval(events, total)
    else:
        estimate, low, high = rate_with_interval(events, total, spec.per)
    if perturbed:
        lower, upper = _ratio_bounds(spec, num, den)
        note = describe_inexact({spec.numerator: num, spec.denominator: den}).replace(
            "inputs not exact, no point estimate", "estimate from perturbed counts"
        )
        return row.model_copy(
            update={
                "estimate": estimate, "ci_low": low, "ci_high": high,
                "lower_bound": lower, "upper_bound": upper, "note": note,
            }
        )  # fmt: skip
    return row.model_copy(
        update={
            "estimate": estimate, "ci_low": low, "ci_high": high,
            "lower_bound": estimate, "upper_bound": estimate,
        }
    )  # fmt: skip


def _spec_rows(figures: Figures, spec: StatisticSpec) -> list[StatisticRow]:
    """Return the rows of one statistic for one country (or ALL): group total, then strata."""
    populations = figures.populations()
    if spec.numerator not in populations or spec.denominator not in populations:
        return []
    num_total = figures.figure(spec.numerator)
    den_total = figures.figure(spec.denominator)
    if num_total is None or den_total is None:
        return []
    rows = [estimate_row(figures.country, None, None, spec, num_total, den_total)]
    for stratifier in figures.stratifiers(spec.numerator):
        same = stratifier in figures.stratifiers(spec.denominator)
        values = figures.strata_values(spec.numerator, stratifier)
        if same:
            values += figures.strata_values(spec.denominator, stratifier)
        for value in dict.fromkeys(values):
            num = figures.figure(spec.numerator, stratifier, value)
            den = figures.figure(spec.denominator, stratifier, value) if same else den_total
            if num is not None and den is not None:
                rows.append(estimate_row(figures.country, stratifier, value, spec, num, den))
    return rows


META_ANALYSES: tuple[tuple[str, str], ...] = (
    ("response-meta", "responders"),
    ("remission-meta", "remitters"),
    ("remission-12-meta", "remitters-12"),
)
PAIR_META_ANALYSES: dict[str, tuple[StatisticSpec, ...]] = {
    measure: MEASURE_STATISTICS[measure] for measure in ("safety-signals", "review-intervals")
}
"""Measures meta-analysed per child/parent pair (statistic ``<name>-meta``), not per denominator."""


def _study_or_reason(
    figures: Figures, numerator: str, denominator: str = "denominator"
) -> tuple[int, int] | str:
    """Return a country's ``(events, n)`` for the meta-analysis, or why it is left out."""
    num, den = figures.figure(numerator), figures.figure(denominator)
    if num is None or den is None:
        return "not reported"
    if num.estimate is None or den.estimate is None:
        statuses = [f"{pop} {b.status}" for pop, b in ((numerator, num), (denominator, den))
                    if b.estimate is None]  # fmt: skip
        return ", ".join(statuses)
    if den.estimate == 0:
        return "zero denominator"
    if num.estimate > den.estimate:
        return "numerator exceeds denominator"
    return num.estimate, den.estimate


def meta_analysis_rows(
    countries: Sequence[Figures],
    label: str,
    analyses: Sequence[tuple[str, str, str]] | None = None,
) -> list[MetaAnalysisRow]:
    """Return the DerSimonian–Laird rows across countries (exact inputs only; others excluded).

    ``analyses``: (statistic, numerator, denominator) triples; by default the efficacy ones.
    """
    rows: list[MetaAnalysisRow] = []
    if analyses is None:
        analyses = [(statistic, numerator, "denominator") for statistic, numerator in META_ANALYSES]
    for statistic, numerator, denominator in analyses:
        if not any(numerator in figures.populations() for figures in countries):
            continue
        included: list[tuple[str, tuple[int, int]]] = []
        excluded: list[tuple[str, str]] = []
        perturbed: list[str] = []
        for figures in countries:
            study = _study_or_reason(figures, numerator, denominator)
            if isinstance(study, str):
                excluded.append((figures.country, study))
            else:
                included.append((figures.country, study))
                inputs = (figures.figure(numerator), figures.figure(denominator))
                if not all(bound is not None and bound.exact for bound in inputs):
                    perturbed.append(figures.country)
        row = MetaAnalysisRow(
            country=label, stratifier=None, stratum=None, statistic=statistic,
            numerator=numerator, denominator=denominator,
            estimate=None, ci_low=None, ci_high=None,
            method="dersimonian-laird-logit", lower_bound=None, upper_bound=None,
            note=None, tau2=None, i2=None, q=None,
            countries=[country for country, _ in included],
            excluded=[country for country, _ in excluded], studies=[],
        )  # fmt: skip
        notes = (
            [f"excluded: {', '.join(f'{c} ({why})' for c, why in excluded)}"] if excluded else []
        )
        if perturbed:
            notes.append(f"perturbed counts: {', '.join(perturbed)}")
        if included:
            result = dersimonian_laird([study for _, study in included])
            studies = [
                StudyRow(country=country, events=s.events, n=s.n, estimate=s.estimate,
                         ci_low=s.ci_low, ci_high=s.ci_high, weight=s.weight,
                         continuity_corrected=s.corrected)
                for (country, _), s in zip(included, result.studies, strict=True)
            ]  # fmt: skip
            row = row.model_copy(
                update={
                    "estimate": result.estimate, "ci_low": result.ci_low,
                    "ci_high": result.ci_high, "tau2": result.tau2, "i2": result.i2,
                    "q": result.q, "studies": studies,
                }
            )  # fmt: skip
            corrected = [study.country for study in studies if study.continuity_corrected]
            if corrected:
                notes.append(f"0.5 continuity correction: {', '.join(corrected)}")
        else:
            notes.append("no country with exact or perturbed counts")
        rows.append(row.model_copy(update={"note": "; ".join(notes) or None}))
    return rows


def statistics_rows(
    measure: str, countries: Sequence[Figures], pooled: Figures
) -> list[MetaAnalysisRow | StatisticRow]:
    """Return every statistics row: per country in order, then ALL, then the meta-analyses."""
    specs = MEASURE_STATISTICS.get(measure, ())
    rows: list[MetaAnalysisRow | StatisticRow] = [row for figures in [*countries, pooled] for spec in specs
            for row in _spec_rows(figures, spec)]  # fmt: skip
    if measure == "efficacy":
        rows += meta_analysis_rows(countries, pooled.country)
    if measure in PAIR_META_ANALYSES:
        pairs = [
            (f"{s.statistic}-meta", s.numerator, s.denominator) for s in PAIR_META_ANALYSES[measure]
        ]
        rows += meta_analysis_rows(countries, pooled.country, pairs)
    return rows

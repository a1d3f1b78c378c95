"""Hub statistics of patients' voices and consent (DESIGN section 12): top-box and consent
proportions with a random-effects meta-analysis across countries, and a PREM item's answer
distribution per country.

The consent proportions per country and pooled come from ``MEASURE_STATISTICS`` like every other
measure's; this module adds the top-box proportions (named by item), the distribution and the
meta-analyses. The *answer distribution* is one proportion
per answer: ``respondents`` in the answer's stratum over all ``respondents``, so a country's
shares sum to 1 when its strata are exact. Top box of ``side-effect-burden`` is a *high* burden
(answers 4 or 5), so its rows are named ``high-burden``, never a good outcome. The
meta-analysis (DerSimonian–Laird on the logit scale) takes the countries whose inputs give an
estimate (exact or cell-key perturbed), as for efficacy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.hub import estimates
from app.hub.document import MetaAnalysisRow, StatisticRow
from app.hub.estimates import StatisticSpec, estimate_row
from app.hub.estimates import _spec_rows as proportion_rows
from app.hub.figures import Figures

Pair = tuple[str, str, str]
"""(statistic, numerator population, denominator population)."""

CONSENT_PAIRS: tuple[Pair, ...] = (
    ("written-consent", "written-consent", "treated-patients"),
    ("information-sheet", "information-sheet", "treated-patients"),
    ("alternatives-discussed", "alternatives-discussed", "treated-patients"),
)
HIGH_BURDEN_ITEM = "side-effect-burden"


def top_box_statistic(parameters: Mapping[str, str | int | float]) -> str:
    """Return the name of the top-box statistic for the query's PREM item."""
    return "high-burden" if parameters.get("item") == HIGH_BURDEN_ITEM else "top-box"


def experience_statistics(
    measure: str,
    parameters: Mapping[str, str | int | float],
    countries: Sequence[Figures],
    pooled: Figures,
) -> list[MetaAnalysisRow | StatisticRow]:
    """Return the extra statistics rows of ``patient-experience`` and ``informed-consent``."""
    rows: list[MetaAnalysisRow | StatisticRow] = []
    if measure == "patient-experience":
        statistic = top_box_statistic(parameters)
        top_box = StatisticSpec(statistic, "top-box", "respondents")
        for figures in [*countries, pooled]:
            rows += proportion_rows(figures, top_box)
        for figures in [*countries, pooled]:
            rows += answer_distribution_rows(figures)
        pair = (statistic, "top-box", "respondents")
        rows += meta_analysis_rows(countries, pooled.country, (pair,))
    elif measure == "informed-consent":
        rows += meta_analysis_rows(countries, pooled.country, CONSENT_PAIRS)
    return rows


def answer_distribution_rows(figures: Figures) -> list[StatisticRow]:
    """Return one ``answer-share`` proportion per answer stratum of ``respondents``."""
    if "answer" not in figures.stratifiers("respondents"):
        return []
    total = figures.figure("respondents")
    if total is None:
        return []
    spec = StatisticSpec("answer-share", "respondents", "respondents")
    rows = []
    for value in figures.strata_values("respondents", "answer"):
        share = figures.figure("respondents", "answer", value)
        if share is not None:
            rows.append(estimate_row(figures.country, "answer", value, spec, share, total))
    return rows


def meta_analysis_rows(
    countries: Sequence[Figures], label: str, pairs: Sequence[Pair]
) -> list[MetaAnalysisRow]:
    """Return one random-effects row (``<statistic>-meta``) per pair present in some answer."""
    analyses = [(f"{statistic}-meta", num, den) for statistic, num, den in pairs]
    return estimates.meta_analysis_rows(countries, label, analyses)

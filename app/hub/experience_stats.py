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

from app.hub.document import MetaAnalysisRow, StatisticRow, StudyRow
from app.hub.estimates import StatisticSpec, estimate_row
from app.hub.estimates import _spec_rows as proportion_rows
from app.hub.figures import Figures
from app.hub.meta_analysis import dersimonian_laird

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


def _study(figures: Figures, numerator: str, denominator: str) -> tuple[int, int] | str:
    """Return a country's ``(events, n)``, or why it is left out of the meta-analysis."""
    num, den = figures.figure(numerator), figures.figure(denominator)
    if num is None or den is None:
        return "not reported"
    if num.estimate is None or den.estimate is None:
        return ", ".join(
            f"{population} {bound.status}"
            for population, bound in ((numerator, num), (denominator, den))
            if bound.estimate is None
        )
    if den.estimate == 0:
        return "zero denominator"
    if num.estimate > den.estimate:
        return "numerator exceeds denominator"
    return num.estimate, den.estimate


def meta_analysis_rows(
    countries: Sequence[Figures], label: str, pairs: Sequence[Pair]
) -> list[MetaAnalysisRow]:
    """Return one random-effects row per pair present in some country's answer."""
    rows = []
    for statistic, numerator, denominator in pairs:
        if not any(numerator in figures.populations() for figures in countries):
            continue
        studies = {
            figures.country: _study(figures, numerator, denominator) for figures in countries
        }
        included = {c: s for c, s in studies.items() if not isinstance(s, str)}
        excluded = {c: s for c, s in studies.items() if isinstance(s, str)}
        notes = [f"excluded: {', '.join(f'{c} ({why})' for c, why in excluded.items())}"]
        notes = notes if excluded else []
        row = MetaAnalysisRow(
            country=label, stratifier=None, stratum=None, statistic=f"{statistic}-meta",
            numerator=numerator, denominator=denominator,
            estimate=None, ci_low=None, ci_high=None, method="dersimonian-laird-logit",
            lower_bound=None, upper_bound=None, note=None, tau2=None, i2=None, q=None,
            countries=list(included), excluded=list(excluded), studies=[],
        )  # fmt: skip
        if included:
            result = dersimonian_laird(list(included.values()))
            study_rows = [
                StudyRow(country=country, events=s.events, n=s.n, estimate=s.estimate,
                         ci_low=s.ci_low, ci_high=s.ci_high, weight=s.weight,
                         continuity_corrected=s.corrected)
                for country, s in zip(included, result.studies, strict=True)
            ]  # fmt: skip
            row = row.model_copy(
                update={
                    "estimate": result.estimate, "ci_low": result.ci_low,
                    "ci_high": result.ci_high, "tau2": result.tau2, "i2": result.i2,
                    "q": result.q, "studies": study_rows,
                }
            )  # fmt: skip
        else:
            notes.append("no country with exact or perturbed counts")
        rows.append(row.model_copy(update={"note": "; ".join(notes) or None}))
    return rows

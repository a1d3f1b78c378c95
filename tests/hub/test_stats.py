"""The hub's interval and meta-analysis maths against statsmodels and scipy references."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import chi2, norm
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from app.hub.meta_analysis import dersimonian_laird, expit, logit_with_variance
from app.hub.stats import poisson_exact_interval, rate_with_interval, wilson_interval

TOL = 1e-9


@pytest.mark.parametrize(
    ("successes", "n"), [(0, 1), (0, 25), (1, 1), (3, 10), (60, 120), (119, 120), (40, 40), (7, 9)]
)
@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_wilson_interval_matches_statsmodels_on_fixed_inputs(
    successes: int, n: int, confidence: float
) -> None:
    expected = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    assert wilson_interval(successes, n, confidence=confidence) == pytest.approx(expected, abs=TOL)


def test_wilson_interval_is_closed_at_the_extremes_when_all_or_none_succeed() -> None:
    assert wilson_interval(0, 30)[0] == 0.0
    assert wilson_interval(30, 30)[1] == 1.0


@pytest.mark.parametrize(("successes", "n"), [(0, 0), (1, 0), (-1, 5), (6, 5)])
def test_wilson_interval_raises_when_arguments_are_invalid(successes: int, n: int) -> None:
    with pytest.raises(ValueError):
        wilson_interval(successes, n)


@pytest.mark.parametrize("count", [0, 1, 2, 7, 10, 55, 1000])
@pytest.mark.parametrize("confidence", [0.95, 0.99])
def test_poisson_exact_interval_matches_chi2_formula_on_fixed_inputs(
    count: int, confidence: float
) -> None:
    alpha = 1 - confidence
    low = 0.0 if count == 0 else chi2.ppf(alpha / 2, 2 * count) / 2
    high = chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    assert poisson_exact_interval(count, confidence=confidence) == pytest.approx(
        (low, high), abs=TOL
    )
    reference = confint_poisson(count, 1, method="exact-c", alpha=alpha)
    assert poisson_exact_interval(count, confidence=confidence) == pytest.approx(
        tuple(float(x) for x in reference), rel=1e-9, abs=TOL
    )


def test_poisson_exact_interval_raises_when_count_is_negative() -> None:
    with pytest.raises(ValueError):
        poisson_exact_interval(-1)


def test_rate_with_interval_scales_the_garwood_interval_by_exposure() -> None:
    low, high = poisson_exact_interval(7)
    rate, rate_low, rate_high = rate_with_interval(7, 350, 1000)
    assert rate == pytest.approx(20.0, abs=TOL)
    assert (rate_low, rate_high) == pytest.approx((low / 350 * 1000, high / 350 * 1000), abs=TOL)


def test_rate_with_interval_raises_when_exposure_is_zero() -> None:
    with pytest.raises(ValueError):
        rate_with_interval(3, 0, 100)


def _reference_logits(studies: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Corrected logits and variances computed independently of app.hub.meta_analysis."""
    effects, variances = [], []
    for events, n in studies:
        e, f = (events + 0.5, n - events + 0.5) if events in (0, n) else (events, n - events)
        effects.append(math.log(e / f))
        variances.append(1 / e + 1 / f)
    return np.array(effects), np.array(variances)


def _assert_matches_statsmodels_dl(studies: list[tuple[int, int]]) -> None:
    effects, variances = _reference_logits(studies)
    reference = combine_effects(effects, variances, method_re="dl")
    assert reference.tau2 > 0  # statsmodels does not truncate; compare where both agree
    re_low, re_high = reference.conf_int(use_t=False)[1]
    result = dersimonian_laird(studies)
    assert result.logit == pytest.approx(reference.mean_effect_re, abs=TOL)
    assert result.logit_se == pytest.approx(reference.sd_eff_w_re, abs=TOL)
    assert (math.log(result.ci_low / (1 - result.ci_low))) == pytest.approx(re_low, abs=TOL)
    assert (math.log(result.ci_high / (1 - result.ci_high))) == pytest.approx(re_high, abs=TOL)
    assert result.estimate == pytest.approx(expit(reference.mean_effect_re), abs=TOL)
    assert result.tau2 == pytest.approx(reference.tau2, abs=TOL)
    assert result.i2 == pytest.approx(reference.i2, abs=TOL)
    assert result.q == pytest.approx(reference.q, abs=TOL)
    weights = [study.weight for study in result.studies]
    assert weights == pytest.approx(list(reference.weights_rel_re), abs=TOL)


@pytest.mark.parametrize(
    "studies",
    [
        [(60, 120), (90, 200), (40, 55), (12, 80)],
        [(5, 10), (30, 40), (100, 400)],
        [(0, 25), (18, 30), (44, 50)],  # a 0-event study
        [(40, 40), (20, 60), (9, 30)],  # an all-event study
        [(0, 12), (15, 15), (30, 100), (70, 90)],  # both
    ],
)
def test_dersimonian_laird_matches_statsmodels_combine_effects_on_fixed_inputs(
    studies: list[tuple[int, int]],
) -> None:
    _assert_matches_statsmodels_dl(studies)


def test_dersimonian_laird_applies_continuity_correction_only_to_zero_or_all_event_studies() -> (
    None
):
    result = dersimonian_laird([(0, 25), (18, 30), (40, 40)])
    assert [s.corrected for s in result.studies] == [True, False, True]
    assert result.studies[0].logit == pytest.approx(math.log(0.5 / 25.5), abs=TOL)
    assert result.studies[0].variance == pytest.approx(1 / 0.5 + 1 / 25.5, abs=TOL)
    assert result.studies[1].logit == pytest.approx(math.log(18 / 12), abs=TOL)
    assert result.studies[1].variance == pytest.approx(1 / 18 + 1 / 12, abs=TOL)
    assert result.studies[2].logit == pytest.approx(math.log(40.5 / 0.5), abs=TOL)


def test_dersimonian_laird_truncates_tau2_and_i2_at_zero_when_studies_are_homogeneous() -> None:
    studies = [(50, 100), (51, 100), (49, 100)]
    effects, variances = _reference_logits(studies)
    reference = combine_effects(effects, variances, method_re="dl")
    assert reference.tau2 < 0  # statsmodels reports the untruncated moment estimate
    result = dersimonian_laird(studies)
    assert result.tau2 == 0.0
    assert result.i2 == 0.0
    # With tau2 = 0 the random-effects estimate is the fixed-effect one.
    fe_low, fe_high = reference.conf_int(use_t=False)[0]
    assert result.logit == pytest.approx(reference.mean_effect_fe, abs=TOL)
    assert result.logit - norm.isf(0.025) * result.logit_se == pytest.approx(fe_low, abs=TOL)
    assert result.logit + norm.isf(0.025) * result.logit_se == pytest.approx(fe_high, abs=TOL)


def test_dersimonian_laird_reports_no_heterogeneity_when_single_study() -> None:
    result = dersimonian_laird([(30, 120)])
    logit, variance, _ = logit_with_variance(30, 120)
    z = norm.isf(0.025)
    assert (result.tau2, result.i2, result.q) == (0.0, 0.0, 0.0)
    assert result.estimate == pytest.approx(0.25, abs=TOL)
    assert result.ci_low == pytest.approx(expit(logit - z * math.sqrt(variance)), abs=TOL)
    assert result.ci_high == pytest.approx(expit(logit + z * math.sqrt(variance)), abs=TOL)
    assert result.studies[0].weight == pytest.approx(1.0)


def test_dersimonian_laird_gives_per_study_logit_intervals_for_forest_plot() -> None:
    result = dersimonian_laird([(60, 120), (12, 80)])
    z = norm.isf(0.025)
    for study in result.studies:
        half = z * math.sqrt(study.variance)
        assert study.ci_low == pytest.approx(expit(study.logit - half), abs=TOL)
        assert study.ci_high == pytest.approx(expit(study.logit + half), abs=TOL)
        assert study.ci_low < study.estimate < study.ci_high


@pytest.mark.parametrize("studies", [[], [(0, 0)], [(5, 4)], [(-1, 4)]])
def test_dersimonian_laird_raises_when_studies_are_invalid(studies: list[tuple[int, int]]) -> None:
    with pytest.raises(ValueError):
        dersimonian_laird(studies)

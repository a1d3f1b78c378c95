"""Hub statistics of ``safety-signals`` and ``review-intervals``: Wilson proportions of each signal
over its parent per country and pooled, and a random-effects meta-analysis per pair, checked
against statsmodels (proportion_confint, combine_effects)."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pytest
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.proportion import proportion_confint

from app.exchange.answer import Cell, MeasureAnswer, PopulationResult
from app.hub.pooling import PooledQuery, pool_answers
from app.hub.replies import NodeReply

START, END = date(2024, 1, 1), date(2024, 12, 31)
TOL = 1e-9
# country → (checked, rise, severe, lft-checked, lft-3x, screened, positive)
SAFETY = {
    "NO": (900, 31, 9, 140, 3, 60, 2),
    "DE": (1500, 72, 20, 210, 1, 90, 5),
    "PT": (400, 9, 0, 80, 2, 25, 0),
}
SAFETY_POPULATIONS = (
    "administrations-bp-checked",
    "administrations-bp-rise",
    "administrations-severe-bp",
    "patients-lft-checked",
    "patients-lft-3x-uln",
    "patients-bladder-screened",
    "patients-bladder-positive",
)
PAIRS = {
    "bp-rise": (1, 0),
    "severe-bp": (2, 0),
    "lft-3x-uln": (4, 3),
    "bladder-positive": (6, 5),
}


def _reply(country: str, measure: str, counts: dict[str, Cell]) -> NodeReply:
    populations = [PopulationResult(name, cell) for name, cell in counts.items()]
    answer = MeasureAnswer(measure, "1", START, END, populations)
    return NodeReply(country.lower(), country, "ok", answer=answer)


def _safety_doc(masked: str | None = None) -> dict[str, Any]:
    replies = []
    for country, counts in SAFETY.items():
        cells = {
            name: Cell(None, ("small-cell",)) if (country, name) == masked else Cell(n)
            for name, n in zip(SAFETY_POPULATIONS, counts, strict=True)
        }
        replies.append(_reply(country, "safety-signals", cells))
    return pool_answers(PooledQuery("q", "safety-signals", START, END), replies).model_dump()


def _row(doc: dict[str, Any], country: str, statistic: str) -> dict[str, Any]:
    rows = [
        r
        for r in doc["statistics"]
        if (r["country"], r["statistic"], r["stratifier"]) == (country, statistic, None)
    ]
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize("statistic", list(PAIRS))
def test_signal_proportions_are_wilson_per_country_and_pooled(statistic: str) -> None:
    doc = _safety_doc()
    child, parent = PAIRS[statistic]
    for country in [*SAFETY, "ALL"]:
        if country == "ALL":
            events = sum(c[child] for c in SAFETY.values())
            n = sum(c[parent] for c in SAFETY.values())
        else:
            events, n = SAFETY[country][child], SAFETY[country][parent]
        row = _row(doc, country, statistic)
        low, high = proportion_confint(events, n, alpha=0.05, method="wilson")
        assert row["method"] == "wilson"
        assert row["numerator"] == SAFETY_POPULATIONS[child]
        assert row["denominator"] == SAFETY_POPULATIONS[parent]
        assert (row["estimate"], row["ci_low"], row["ci_high"]) == pytest.approx(
            (events / n, low, high), abs=TOL
        )


def _logit_studies(studies: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    effects, variances = [], []
    for events, n in studies:
        e, f = (events + 0.5, n - events + 0.5) if events in (0, n) else (events, n - events)
        effects.append(math.log(e / f))
        variances.append(1 / e + 1 / f)
    return np.array(effects), np.array(variances)


@pytest.mark.parametrize("statistic", ["bp-rise", "lft-3x-uln"])
def test_random_effects_meta_analysis_of_the_bp_and_liver_signals_matches_statsmodels(
    statistic: str,
) -> None:
    doc = _safety_doc()
    child, parent = PAIRS[statistic]
    studies = [(counts[child], counts[parent]) for counts in SAFETY.values()]
    reference = combine_effects(*_logit_studies(studies), method_re="dl")
    row = _row(doc, "ALL", statistic + "-meta")
    assert row["method"] == "dersimonian-laird-logit"
    assert row["countries"] == list(SAFETY) and row["excluded"] == []
    expit = 1 / (1 + math.exp(-reference.mean_effect_re))
    assert row["estimate"] == pytest.approx(expit, abs=TOL)
    assert row["tau2"] == pytest.approx(max(0.0, reference.tau2), abs=TOL)
    assert [s["country"] for s in row["studies"]] == list(SAFETY)
    assert [s["n"] for s in row["studies"]] == [n for _, n in studies]


def test_meta_analysis_leaves_out_a_country_whose_signal_is_masked_and_says_why() -> None:
    doc = _safety_doc(masked=("PT", "administrations-bp-rise"))
    row = _row(doc, "ALL", "bp-rise-meta")
    assert row["countries"] == ["NO", "DE"] and row["excluded"] == ["PT"]
    assert "PT (administrations-bp-rise masked)" in row["note"]
    pooled = _row(doc, "ALL", "bp-rise")
    assert pooled["estimate"] is None and "administrations-bp-rise masked (PT)" in pooled["note"]


def test_review_interval_proportions_pair_each_child_with_its_parent() -> None:
    counts = {"NO": (40, 300, 22, 9), "DE": (55, 410, 61, 14)}
    names = ("patients-take-home", "dispenses", "dispenses-unreviewed", "patients-unreviewed")
    replies = [
        _reply(c, "review-intervals", {n: Cell(v) for n, v in zip(names, values, strict=True)})
        for c, values in counts.items()
    ]
    doc = pool_answers(PooledQuery("q", "review-intervals", START, END), replies).model_dump()
    assert _row(doc, "NO", "dispenses-unreviewed")["estimate"] == pytest.approx(22 / 300)
    assert _row(doc, "ALL", "patients-unreviewed")["estimate"] == pytest.approx(23 / 95)
    meta = _row(doc, "ALL", "dispenses-unreviewed-meta")
    assert meta["countries"] == ["NO", "DE"] and meta["estimate"] is not None

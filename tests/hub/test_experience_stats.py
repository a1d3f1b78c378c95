"""Hub statistics of patients' voices: top-box and consent proportions (Wilson) per country and
pooled, the answer distribution per country, and their random-effects meta-analyses."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.exchange.answer import Cell, MeasureAnswer, PopulationResult
from app.hub.meta_analysis import dersimonian_laird
from app.hub.pooling import PooledQuery, pool_answers
from app.hub.replies import NodeReply
from app.hub.stats import wilson_interval

START, END = date(2024, 1, 1), date(2024, 12, 31)
TOL = 1e-12
# (respondents by answer, top-box) per country: top-box = answers 4 and 5.
ANSWERS = {
    "NO": {"1": 3, "2": 5, "3": 10, "4": 20, "5": 12},
    "PT": {"2": 6, "3": 9, "4": 8, "5": 2},
}


def experience_reply(country: str, answers: dict[str, int]) -> NodeReply:
    respondents = sum(answers.values())
    top = answers.get("4", 0) + answers.get("5", 0)
    populations = [
        PopulationResult(
            "respondents",
            Cell(respondents),
            {"answer": {value: Cell(count) for value, count in answers.items()}},
        ),
        PopulationResult("top-box", Cell(top)),
    ]
    answer = MeasureAnswer("patient-experience", "1", START, END, populations)
    return NodeReply(country.lower(), country, "ok", answer=answer)


def document(item: str) -> dict[str, Any]:
    query = PooledQuery(
        "q-1", "patient-experience", START, END, stratify=("answer",), parameters={"item": item}
    )
    replies = [experience_reply(country, answers) for country, answers in ANSWERS.items()]
    return pool_answers(query, replies).model_dump()


def rows(doc: dict[str, Any], statistic: str) -> dict[tuple[str, str | None], dict[str, Any]]:
    return {
        (row["country"], row["stratum"]): row
        for row in doc["statistics"]
        if row["statistic"] == statistic
    }


def test_top_box_is_a_wilson_proportion_per_country_and_pooled() -> None:
    top = rows(document("felt-safe"), "top-box")
    for country, events, total in [("NO", 32, 50), ("PT", 10, 25), ("ALL", 42, 75)]:
        row = top[(country, None)]
        assert row["estimate"] == pytest.approx(events / total, abs=TOL)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(wilson_interval(events, total))
        assert row["method"] == "wilson"


def test_answer_distribution_shares_sum_to_one_per_country() -> None:
    shares = rows(document("felt-safe"), "answer-share")
    for country, answers in ANSWERS.items():
        total = sum(answers.values())
        mine = {s: r for (c, s), r in shares.items() if c == country}
        assert set(mine) == set(answers)
        for value, count in answers.items():
            assert mine[value]["estimate"] == pytest.approx(count / total, abs=TOL)
        assert sum(r["estimate"] for r in mine.values()) == pytest.approx(1.0)


def test_top_box_meta_analysis_is_dersimonian_laird_over_the_countries() -> None:
    meta = rows(document("felt-safe"), "top-box-meta")[("ALL", None)]
    studies = [(32, 50), (10, 25)]
    expected = dersimonian_laird(studies)
    assert meta["countries"] == ["NO", "PT"]
    assert meta["estimate"] == pytest.approx(expected.estimate, abs=TOL)
    assert meta["tau2"] == pytest.approx(expected.tau2, abs=TOL)
    assert [(s["events"], s["n"]) for s in meta["studies"]] == studies


def test_side_effect_burden_top_box_is_labelled_high_burden() -> None:
    doc = document("side-effect-burden")
    assert rows(doc, "high-burden") and rows(doc, "high-burden-meta")
    assert not rows(doc, "top-box")


def test_consent_proportions_and_meta_analysis() -> None:
    def reply(country: str, treated: int, written: int, sheet: int, alternatives: int) -> NodeReply:
        populations = [
            PopulationResult("treated-patients", Cell(treated)),
            PopulationResult("written-consent", Cell(written)),
            PopulationResult("information-sheet", Cell(sheet)),
            PopulationResult("alternatives-discussed", Cell(alternatives)),
        ]
        answer = MeasureAnswer("informed-consent", "1", START, END, populations)
        return NodeReply(country.lower(), country, "ok", answer=answer)

    query = PooledQuery("q-2", "informed-consent", START, END)
    doc = pool_answers(query, [reply("NO", 100, 60, 85, 30), reply("PT", 40, 30, 36, 9)])
    doc_json = doc.model_dump()
    sheet = rows(doc_json, "information-sheet")
    assert sheet[("ALL", None)]["estimate"] == pytest.approx(121 / 140, abs=TOL)
    meta = rows(doc_json, "alternatives-discussed-meta")[("ALL", None)]
    assert meta["estimate"] == pytest.approx(
        dersimonian_laird([(30, 100), (9, 40)]).estimate, abs=TOL
    )

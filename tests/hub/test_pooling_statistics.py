"""The ``statistics`` section of the pooled document: Wilson, Garwood and DerSimonian–Laird rows."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from app.exchange.answer import Cell, DisclosurePolicy, MeasureAnswer, PopulationResult
from app.hub.meta_analysis import dersimonian_laird
from app.hub.pooling import PooledQuery, pool_answers
from app.hub.replies import NodeReply
from app.hub.stats import rate_with_interval, wilson_interval


def pooled(query: PooledQuery, replies: list[NodeReply]) -> dict[str, Any]:
    """Return the pooled document in its JSON form (the contract's keys and values)."""
    return pool_answers(query, replies).model_dump()


START, END = date(2024, 1, 1), date(2024, 12, 31)
SMALL = Cell(None, ("small-cell",))
TOL = 1e-12


def query(measure: str) -> PooledQuery:
    return PooledQuery("q-1", measure, START, END, stratify=("route",))


def ok(country: str, measure: str, populations: list[PopulationResult], **kw: Any) -> NodeReply:
    result = MeasureAnswer(measure, "1", START, END, populations, **kw)
    return NodeReply(country.lower(), country, "ok", answer=result)


def as_cell(value: int | Cell | None) -> Cell:
    return value if isinstance(value, Cell) else SMALL if value is None else Cell(value)


def efficacy(
    country: str, den: int | Cell, resp: int | Cell | None, rem: int, **kw: Any
) -> NodeReply:
    return ok(
        country,
        "efficacy",
        [
            PopulationResult("denominator", as_cell(den)),
            PopulationResult("responders", as_cell(resp)),
            PopulationResult("remitters", as_cell(rem)),
        ],
        **kw,
    )


def stat(
    doc: dict[str, Any], country: str, statistic: str, stratum: str | None = None
) -> dict[str, Any]:
    matches = [
        row
        for row in doc["statistics"]
        if (row["country"], row["statistic"], row["stratum"]) == (country, statistic, stratum)
    ]
    assert len(matches) == 1, matches
    return matches[0]


def test_proportion_rows_use_wilson_interval_when_inputs_exact() -> None:
    doc = pooled(query("efficacy"), [efficacy("NO", 120, 60, 30), efficacy("DE", 80, 20, 9)])
    row = stat(doc, "ALL", "response")
    low, high = wilson_interval(80, 200)
    assert (row["estimate"], row["ci_low"], row["ci_high"]) == pytest.approx((0.4, low, high))
    assert row["method"] == "wilson" and row["note"] is None
    assert (row["numerator"], row["denominator"]) == ("responders", "denominator")
    assert stat(doc, "DE", "remission")["estimate"] == pytest.approx(9 / 80)


def test_proportion_row_gives_bounds_and_note_instead_of_estimate_when_input_masked() -> None:
    doc = pooled(query("efficacy"), [efficacy("NO", 120, None, 30), efficacy("DE", 80, 20, 9)])
    row = stat(doc, "ALL", "response")
    assert row["estimate"] is None and row["ci_low"] is None and row["ci_high"] is None
    assert row["lower_bound"] == pytest.approx(21 / 200, abs=TOL)
    assert row["upper_bound"] == pytest.approx(30 / 200, abs=TOL)
    assert "responders masked (NO)" in row["note"]
    assert stat(doc, "NO", "response")["lower_bound"] == pytest.approx(1 / 120, abs=TOL)


def test_meta_analysis_row_matches_dersimonian_laird_and_lists_excluded_when_input_masked() -> None:
    outcomes = [
        efficacy("NO", 120, 60, 30),
        efficacy("DE", 80, 20, 9),
        efficacy("PT", 40, 40, 12),
        efficacy("SE", 50, None, 14),
    ]
    doc = pooled(query("efficacy"), outcomes)
    row = stat(doc, "ALL", "response-meta")
    expected = dersimonian_laird([(60, 120), (20, 80), (40, 40)])
    assert row["method"] == "dersimonian-laird-logit"
    assert (row["estimate"], row["ci_low"], row["ci_high"]) == pytest.approx(
        (expected.estimate, expected.ci_low, expected.ci_high), abs=TOL
    )
    assert (row["tau2"], row["i2"]) == pytest.approx((expected.tau2, expected.i2), abs=TOL)
    assert row["countries"] == ["NO", "DE", "PT"] and row["excluded"] == ["SE"]
    assert "SE (responders masked)" in row["note"] and "continuity correction: PT" in row["note"]
    assert [s["country"] for s in row["studies"]] == ["NO", "DE", "PT"]
    assert row["studies"][2]["continuity_corrected"] is True
    json.dumps(doc, allow_nan=False)
    remission = stat(doc, "ALL", "remission-meta")
    assert remission["countries"] == ["NO", "DE", "PT", "SE"] and remission["excluded"] == []


def test_meta_analysis_row_has_no_estimate_when_no_country_is_exact() -> None:
    doc = pooled(query("efficacy"), [efficacy("NO", 120, None, 30)])
    row = stat(doc, "ALL", "response-meta")
    assert row["estimate"] is None and row["excluded"] == ["NO"] and row["studies"] == []


def adverse_events(country: str, **kw: Any) -> NodeReply:
    return ok(
        country,
        "adverse-events",
        [
            PopulationResult(
                "treated-patients", Cell(400), {"route": {"iv": Cell(300), "sc": Cell(100)}}
            ),
            PopulationResult(
                "administrations", Cell(2000), {"route": {"iv": Cell(1500), "sc": Cell(500)}}
            ),
            PopulationResult(
                "events",
                Cell(37),
                {
                    "event": {"nausea": Cell(25), "dissociation": Cell(12)},
                    "route": {"iv": Cell(37)},
                },
            ),
            PopulationResult(
                "patients-with-event",
                Cell(30),
                {"event": {"nausea": Cell(20), "dissociation": SMALL}},
            ),
        ],
        **kw,
    )


def test_rate_rows_use_garwood_interval_per_1000_and_per_100_when_inputs_exact() -> None:
    doc = pooled(query("adverse-events"), [adverse_events("NO")])
    row = stat(doc, "NO", "events-per-1000-administrations")
    assert row["method"] == "garwood"
    assert (row["estimate"], row["ci_low"], row["ci_high"]) == pytest.approx(
        rate_with_interval(37, 2000, 1000), abs=TOL
    )
    per_100 = stat(doc, "NO", "patients-with-event-per-100")
    assert per_100["estimate"] == pytest.approx(7.5, abs=TOL)


def test_rate_rows_divide_stratum_by_denominator_total_when_denominator_lacks_stratifier() -> None:
    doc = pooled(query("adverse-events"), [adverse_events("NO")])
    nausea = stat(doc, "NO", "events-per-1000-administrations", "nausea")
    assert nausea["estimate"] == pytest.approx(25 / 2000 * 1000, abs=TOL)
    by_route = stat(doc, "NO", "events-per-1000-administrations", "iv")
    assert by_route["estimate"] == pytest.approx(37 / 1500 * 1000, abs=TOL)
    assert stat(doc, "NO", "events-per-1000-administrations", "sc")["estimate"] == 0.0
    masked = stat(doc, "NO", "patients-with-event-per-100", "dissociation")
    assert masked["estimate"] is None
    assert (masked["lower_bound"], masked["upper_bound"]) == pytest.approx((0.25, 2.5), abs=TOL)


@pytest.mark.parametrize(
    ("measure", "populations", "statistics"),
    [
        ("discontinuations", ["treated-patients", "discontinued"], ["discontinued"]),
        (
            "guideline-adherence",
            [
                "treated-patients",
                "patients-short-interval",
                "short-intervals",
                "patients-take-home",
                "dispenses-above-max",
            ],
            ["short-interval", "take-home"],
        ),
    ],
)
def test_proportion_statistics_are_given_for_each_measure_when_populations_present(
    measure: str, populations: list[str], statistics: list[str]
) -> None:
    counts = {name: Cell(100 if name == "treated-patients" else 20) for name in populations}
    outcome = ok("NO", measure, [PopulationResult(name, cell) for name, cell in counts.items()])
    doc = pooled(query(measure), [outcome])
    for statistic in statistics:
        assert stat(doc, "NO", statistic)["estimate"] == pytest.approx(0.2)
        assert stat(doc, "ALL", statistic)["estimate"] == pytest.approx(0.2)


def test_statistics_note_rounding_when_inputs_rounded() -> None:
    rounded = efficacy("DE", Cell(80, ("rounded",)), 20, 9, policy=DisclosurePolicy(rounding=10))
    doc = pooled(query("efficacy"), [rounded])
    row = stat(doc, "ALL", "response")
    assert row["estimate"] is None and "denominator rounded (DE)" in row["note"]
    assert (row["lower_bound"], row["upper_bound"]) == pytest.approx((20 / 85, 20 / 75), abs=TOL)


def test_perturbed_inputs_give_estimates_with_count_bounds_and_enter_the_meta_analysis() -> None:
    policy = DisclosurePolicy(perturbation="cell-key", ckm_max=3)

    def perturbed(n: int) -> Cell:
        return Cell(n, ("perturbed",))

    outcomes = [
        efficacy("NO", perturbed(120), perturbed(60), perturbed(30), policy=policy),
        efficacy("DE", 80, 20, 9),
    ]
    doc = pooled(query("efficacy"), outcomes)
    row = stat(doc, "ALL", "response")
    low, high = wilson_interval(80, 200)
    assert (row["estimate"], row["ci_low"], row["ci_high"]) == pytest.approx((0.4, low, high))
    assert row["lower_bound"] == pytest.approx(77 / 203) and row["upper_bound"] == pytest.approx(
        83 / 197
    )
    assert row["note"].startswith("estimate from perturbed counts")
    total = next(
        r for r in doc["rows"] if r["country"] == "ALL" and r["population"] == "denominator"
    )
    assert (total["count"], total["status"], total["lower"], total["upper"]) == (
        200,
        "perturbed",
        197,
        203,
    )
    meta = stat(doc, "ALL", "response-meta")
    assert meta["countries"] == ["NO", "DE"] and "perturbed counts: NO" in meta["note"]

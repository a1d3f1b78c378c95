"""Pooling per-node answers into the "Query output" document: nodes, rows, bounds and CSV."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from typing import Any

import pytest

from app.errors import InputError
from app.exchange.answer import Cell, DisclosurePolicy, MeasureAnswer, PopulationResult
from app.hub.pooling import (
    CROSS_BORDER_CAVEAT,
    ROW_COLUMNS,
    PooledQuery,
    pool_answers,
    rows_to_csv,
)
from app.hub.replies import NodeReply


def pooled(query: PooledQuery, replies: list[NodeReply]) -> dict[str, Any]:
    """Return the pooled document in its JSON form (the contract's keys and values)."""
    return pool_answers(query, replies).model_dump()


START, END = date(2024, 1, 1), date(2024, 12, 31)
QUERY = PooledQuery(
    query_id="q-1",
    measure="treated-patients",
    period_start=START,
    period_end=END,
    filters={"drug": ["ketamine"]},
    stratify=("route",),
)
SMALL = Cell(None, ("small-cell",))
COMPLEMENTARY = Cell(None, ("complementary",))


def answer(
    populations: list[PopulationResult], *, measure: str = "treated-patients", **kwargs: Any
) -> MeasureAnswer:
    return MeasureAnswer(measure, "1", START, END, populations, **kwargs)


def treated(total: Cell, route: dict[str, Cell] | None = None, **kwargs: Any) -> MeasureAnswer:
    strata = {} if route is None else {"route": route}
    return answer([PopulationResult("treated-patients", total, strata)], **kwargs)


def ok(country: str, result: MeasureAnswer) -> NodeReply:
    return NodeReply(node_id=country.lower(), country=country, status="ok", answer=result)


def find(
    doc: dict[str, Any],
    country: str,
    stratum: str | None = None,
    population: str = "treated-patients",
) -> dict[str, Any]:
    matches = [
        row
        for row in doc["rows"]
        if row["country"] == country
        and row["stratum"] == stratum
        and row["population"] == population
    ]
    assert len(matches) == 1, matches
    return matches[0]


def bounds(row: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    return row["status"], row["count"], row["lower"], row["upper"]


def test_pool_answers_emits_contract_shape_when_nodes_answer() -> None:
    doc = pooled(QUERY, [ok("NO", treated(Cell(120), {"iv": Cell(120)}, data_as_of="T"))])
    assert list(doc) == [
        "query_id",
        "measure",
        "version",
        "period",
        "filters",
        "stratify",
        "parameters",
        "nodes",
        "rows",
        "statistics",
        "caveats",
    ]
    assert doc["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert doc["filters"] == {"drug": ["ketamine"]} and doc["stratify"] == ["route"]
    assert doc["version"] == "1"
    assert doc["nodes"] == [
        {
            "id": "no",
            "country": "NO",
            "status": "ok",
            "detail": None,
            "policy": {
                "min_cell": 11,
                "mask_zero": False,
                "rounding": 0,
                "epsilon": 0.0,
                "perturbation": "none",
                "ckm_max": 0,
            },
            "data_as_of": "T",
        }
    ]
    assert all(tuple(row) == ROW_COLUMNS for row in doc["rows"])
    assert CROSS_BORDER_CAVEAT in doc["caveats"]
    json.dumps(doc, allow_nan=False)


def test_pool_answers_sums_exactly_when_every_input_is_exact() -> None:
    outcomes = [
        ok("NO", treated(Cell(120), {"iv": Cell(100), "sc": Cell(20)})),
        ok("DE", treated(Cell(300), {"iv": Cell(250), "im": Cell(50)})),
        ok("PT", treated(Cell(45), {"sc": Cell(45)})),
    ]
    doc = pooled(QUERY, outcomes)
    assert bounds(find(doc, "ALL")) == ("exact", 465, 465, 465)
    assert bounds(find(doc, "ALL", "iv")) == ("exact", 350, 350, 350)
    assert bounds(find(doc, "ALL", "sc")) == ("exact", 65, 65, 65)
    assert bounds(find(doc, "ALL", "im")) == ("exact", 50, 50, 50)
    assert [r["stratum"] for r in doc["rows"] if r["country"] == "ALL"] == [None, "iv", "sc", "im"]


def test_pool_answers_lists_failed_nodes_without_contribution_when_status_not_ok() -> None:
    good = ok("NO", treated(Cell(120), {"iv": Cell(120)}))
    failed = [
        NodeReply("de", "DE", "refused", "no aggregate grant"),
        NodeReply("pt", "PT", "timeout", "no answer within 20 s"),
        NodeReply("se", "SE", "unreachable", "ConnectError"),
        NodeReply("fi", "FI", "bad-signature", "unknown key"),
        NodeReply(
            "dk",
            "DK",
            "invalid-report",
            "not a MeasureReport",
            answer=treated(Cell(999), {"iv": Cell(999)}),
        ),
    ]
    doc = pooled(QUERY, [good, *failed])
    alone = pooled(QUERY, [good])
    assert [n["status"] for n in doc["nodes"]] == [
        "ok",
        "refused",
        "timeout",
        "unreachable",
        "bad-signature",
        "invalid-report",
    ]
    assert doc["nodes"][1]["detail"] == "no aggregate grant"
    assert all(n["policy"] is None and n["data_as_of"] is None for n in doc["nodes"][1:])
    assert doc["rows"] == alone["rows"]
    assert {row["country"] for row in doc["rows"]} == {"NO", "ALL"}
    assert any("left out: DE (refused)" in caveat for caveat in doc["caveats"])


def test_pool_answers_counts_omitted_stratum_as_zero_when_node_answered_stratifier() -> None:
    doc = pooled(
        QUERY,
        [
            ok("NO", treated(Cell(120), {"iv": Cell(120)})),
            ok("DE", treated(Cell(50), {"iv": Cell(30), "sc": Cell(20)})),
        ],
    )
    assert bounds(find(doc, "ALL", "sc")) == ("exact", 20, 20, 20)
    assert [r["stratum"] for r in doc["rows"] if r["country"] == "NO"] == [None, "iv"]


def test_pool_answers_bounds_stratum_by_node_total_when_node_did_not_answer_stratifier() -> None:
    doc = pooled(
        QUERY,
        [
            ok("NO", treated(Cell(120))),
            ok("DE", treated(Cell(50), {"iv": Cell(30), "sc": Cell(20)})),
        ],
    )
    assert bounds(find(doc, "ALL", "sc")) == ("bounded", None, 20, 140)
    assert bounds(find(doc, "ALL")) == ("exact", 170, 170, 170)


def test_pool_answers_sums_bounds_when_inputs_are_masked() -> None:
    doc = pooled(
        QUERY,
        [
            ok("NO", treated(Cell(120), {"iv": Cell(100), "sc": SMALL, "im": COMPLEMENTARY})),
            ok("DE", treated(Cell(50), {"sc": Cell(50)})),
        ],
    )
    assert bounds(find(doc, "NO", "sc")) == ("masked", None, 1, 10)
    assert bounds(find(doc, "NO", "im")) == ("masked", None, 0, 20)
    assert bounds(find(doc, "ALL", "sc")) == ("bounded", None, 51, 60)
    assert bounds(find(doc, "ALL", "im")) == ("bounded", None, 0, 20)


@pytest.mark.parametrize(
    ("base", "shown", "expected"),
    [(10, 120, (115, 125)), (10, 0, (0, 5)), (5, 15, (13, 17)), (3, 3, (2, 4))],
)
def test_rounded_bound_is_half_base_either_side_when_count_rounded(
    base: int, shown: int, expected: tuple[int, int]
) -> None:
    cell = Cell(shown, ("rounded",))
    doc = pooled(QUERY, [ok("NO", treated(cell, policy=DisclosurePolicy(rounding=base)))])
    assert bounds(find(doc, "NO")) == ("rounded", shown, *expected)
    assert bounds(find(doc, "ALL")) == ("bounded", None, *expected)


def test_noised_bound_is_mechanism_interval_rounded_outward_when_count_noised() -> None:
    policy = DisclosurePolicy(epsilon=1.0)
    result = treated(
        Cell(40, ("noised",)),
        {"iv": Cell(3, ("noised",)), "sc": SMALL},
        policy=policy,
        noise_scale={"treated-patients": 4.2},
    )
    doc = pooled(QUERY, [ok("NO", result)])
    assert bounds(find(doc, "NO")) == ("noised", 40, 35, 45)
    assert bounds(find(doc, "NO", "iv")) == ("noised", 3, 0, 8)
    assert bounds(find(doc, "NO", "sc")) == ("masked", None, 0, 15)  # small-cell widened by noise
    assert any("95%" in caveat for caveat in doc["caveats"])


def test_pool_answers_pools_only_fitting_answers_when_answers_differ() -> None:
    other_measure = treated(Cell(5), measure="administrations")
    other_version = MeasureAnswer("treated-patients", "2", START, END, [])
    noised_without_scale = treated(Cell(40, ("noised",)))
    lacking = answer([PopulationResult("other", Cell(1))])
    doc = pooled(
        QUERY,
        [
            ok("NO", treated(Cell(120))),
            ok("DE", other_measure),
            ok("PT", noised_without_scale),
            ok("SE", lacking),
            ok("FI", other_version),
        ],
    )
    statuses = {n["country"]: (n["status"], n["detail"]) for n in doc["nodes"]}
    assert statuses["NO"] == ("ok", None)
    assert statuses["DE"][0] == statuses["PT"][0] == "invalid-report"
    assert "measure" in statuses["DE"][1] and "noise" in statuses["PT"][1]
    assert statuses["FI"] == ("invalid-report", "answer is for version '2', not '1'")
    # SE lacks treated-patients and NO lacks "other": country rows, but no ALL sum of either.
    assert statuses["SE"] == ("ok", None)
    assert {(row["country"], row["population"]) for row in doc["rows"]} == {
        ("NO", "treated-patients"),
        ("SE", "other"),
    }
    assert "No ALL row for population treated-patients: not reported by SE." in doc["caveats"]


def test_pool_answers_gives_no_rows_or_statistics_when_no_node_answers() -> None:
    doc = pooled(QUERY, [NodeReply("no", "NO", "timeout", "no answer within 20 s")])
    assert doc["rows"] == [] and doc["statistics"] == []
    assert doc["version"] is None and doc["nodes"][0]["status"] == "timeout"
    assert doc["caveats"][0] == CROSS_BORDER_CAVEAT


def test_pool_answers_raises_when_ok_outcome_has_no_answer() -> None:
    with pytest.raises(InputError):
        pooled(QUERY, [NodeReply("no", "NO", "ok")])


def test_pool_answers_raises_when_node_listed_twice() -> None:
    with pytest.raises(InputError):
        pooled(QUERY, [ok("NO", treated(Cell(1))), ok("NO", treated(Cell(2)))])


def test_rows_to_csv_gives_header_and_rows_when_document_pooled() -> None:
    doc = pool_answers(
        QUERY, [ok("NO", treated(Cell(120), {"iv": Cell(110), "sc": SMALL, "im": COMPLEMENTARY}))]
    )
    text = rows_to_csv(doc)
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == ",".join(ROW_COLUMNS)
    assert len(parsed) == len(doc.rows)
    assert parsed[2] == {
        "country": "NO",
        "stratifier": "route",
        "stratum": "sc",
        "population": "treated-patients",
        "count": "",
        "status": "masked",
        "lower": "1",
        "upper": "10",
    }


def test_hub_modules_import_no_record_level_code() -> None:
    code = (
        "import sys, app.hub.app, app.hub.pooling, app.hub.stats, app.hub.meta_analysis;"
        "bad = [m for m in sys.modules if m.split('.')[:2] in (['app','store'], ['app','ingest'],"
        " ['app','deid'], ['app','mapping'], ['app','sources'], ['app','measures'],"
        " ['app','profiles'], ['app','synth']) or m.startswith('fhir.resources')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr

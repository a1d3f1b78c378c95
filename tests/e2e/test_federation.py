"""Three real nodes and the hub: federated answers equal a centralised computation on the union."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from app.catalogue import validate_query
from app.config import load_node_settings
from app.database import create_store_engine
from app.hub.requests import query_from_request
from app.hub.service import HubService
from app.measures import evaluate_measure
from tests.e2e.network import EXACT, Network, build_network

pytestmark = pytest.mark.e2e
PERIOD = {"start": "2024-01-01", "end": "2025-06-30"}
QUERIES: list[dict[str, Any]] = [
    {
        "measure": "treated-patients",
        "stratify": ["drug", "route", "sex", "age-band", "year", "setting"],
    },
    {"measure": "administrations", "stratify": ["drug", "route", "setting", "year", "dose-band"]},
    {"measure": "adverse-events", "stratify": ["event", "severity", "serious", "drug", "route"]},
    {"measure": "adverse-events", "filters": {"drug": ["ketamine"]}, "stratify": ["event"]},
    {
        "measure": "efficacy",
        "stratify": ["drug", "route", "sex", "age-band"],
        "parameters": {"instrument": "MADRS", "timepoint": "day28"},
    },
    {
        "measure": "efficacy",
        "parameters": {"instrument": "PHQ9", "timepoint": "day7"},
        "filters": {"sex": ["female"]},
    },
    {"measure": "discontinuations", "stratify": ["reason", "drug", "route"]},
    {
        "measure": "guideline-adherence",
        "stratify": ["drug", "route"],
        "parameters": {"max-take-home-mg": 300},
    },
    {"measure": "safety-signals", "stratify": ["drug", "route", "sex", "age-band"]},
    {
        "measure": "safety-signals",
        "filters": {"drug": ["esketamine"]},
        "parameters": {"alt-uln": 35, "bpic-threshold": 15},
    },
    {"measure": "review-intervals", "stratify": ["drug", "route"]},
    {"measure": "review-intervals", "parameters": {"max-review-days": 14}},
    {
        "measure": "patient-experience",
        "stratify": ["answer", "drug", "sex"],
        "parameters": {"item": "expectations-met"},
    },
    {
        "measure": "patient-experience",
        "stratify": ["answer"],
        "parameters": {"item": "most-troubling-effect"},
    },
    {"measure": "informed-consent", "stratify": ["drug", "route", "setting"]},
]


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    yield from build_network(tmp_path_factory.mktemp("network"))


Key = tuple[str, str | None, str | None]


def _flatten(results: list[Any]) -> dict[Key, int]:
    counts: dict[Key, int] = {}
    for result in results:
        counts[(result.population, None, None)] = result.total.count or 0
        for stratifier, strata in result.strata.items():
            for value, cell in strata.items():
                if cell.count:
                    counts[(result.population, stratifier, value)] = cell.count
    return counts


def _central(network: Network, query_body: dict[str, Any]) -> dict[Key, int]:
    """Exact counts of the union database: (population, stratifier, stratum) -> count."""
    query = validate_query(query_from_request({"period": PERIOD, **query_body}))
    engine = create_store_engine(network.central_url)
    with engine.connect() as connection:
        results = evaluate_measure(connection, query)
    engine.dispose()
    return _flatten(results)


def _pooled(document: dict[str, Any]) -> dict[tuple[str, str | None, str | None], int]:
    return {
        (row["population"], row["stratifier"], row["stratum"]): row["count"]
        for row in document["rows"]
        if row["country"] == "ALL" and (row["stratifier"] is None or row["count"])
    }


@pytest.fixture(scope="module")
def exact_service(network: Network) -> HubService:
    nodes = [
        network.serve_node(network.node_settings(n, min_cell=1, **EXACT))
        for n in ("no", "de", "pt")
    ]
    return HubService(network.hub_settings(nodes))


@pytest.mark.parametrize(
    "body", QUERIES, ids=lambda b: b["measure"] + "-" + "-".join(b.get("stratify", [])[:2])
)
def test_pooled_exact_counts_equal_centralised_union(
    network: Network, exact_service: HubService, body: dict[str, Any]
) -> None:
    query = query_from_request({"period": PERIOD, **body})
    document = asyncio.run(exact_service.run_query(query, actor="test")).model_dump()
    assert [node["status"] for node in document["nodes"]] == ["ok", "ok", "ok"]
    assert all(row["status"] == "exact" for row in document["rows"])
    central = _central(network, body)
    assert central, (
        "the central computation found nothing: the test data does not exercise the measure"
    )
    assert _pooled(document) == central


POLICIES: dict[str, dict[str, object]] = {
    "exact, min-cell 11": {"min_cell": 11, **EXACT},
    "rounding 5": {"min_cell": 11, "rounding": 5, "mask_zero": True, **EXACT},
    "cell-key": {"min_cell": 11, "refuse_near_duplicates": False},
    "default": {},
}


def _node_truth(network: Network, node_id: str, query_body: dict[str, Any]) -> dict[Key, int]:
    """Exact counts of one node's own database."""
    query = validate_query(query_from_request({"period": PERIOD, **query_body}))
    engine = create_store_engine(
        load_node_settings(network.node_configs[node_id]).node.database_url
    )
    with engine.connect() as connection:
        results = evaluate_measure(connection, query)
    engine.dispose()
    return _flatten(results)


@pytest.mark.parametrize("policy", list(POLICIES))
def test_pooled_and_country_bounds_contain_the_truth_under_every_policy(
    network: Network, policy: str
) -> None:
    nodes = [
        network.serve_node(network.node_settings(n, **POLICIES[policy])) for n in ("no", "de", "pt")
    ]
    service = HubService(network.hub_settings(nodes))
    countries = {"no": "NO", "de": "DE", "pt": "PT"}
    masked_seen = checked = 0
    for body in QUERIES:
        document = asyncio.run(
            service.run_query(query_from_request({"period": PERIOD, **body}), actor="test")
        ).model_dump()
        answered = [n["id"] for n in document["nodes"] if n["status"] == "ok"]
        truths = {countries[n]: _node_truth(network, n, body) for n in answered}
        for row in document["rows"]:
            key = (row["population"], row["stratifier"], row["stratum"])
            if row["country"] == "ALL":
                # The pooled row covers the nodes that answered (a refusal is listed in nodes).
                true_value = sum(truth.get(key, 0) for truth in truths.values())
            else:
                true_value = truths[row["country"]].get(key, 0)
                if row["count"] is not None:
                    assert row["count"] == 0 or row["count"] >= row_min_cell(policy)
            assert row["lower"] <= true_value <= row["upper"], (policy, body["measure"], row)
            masked_seen += row["status"] in ("bounded", "masked")
            checked += 1
    assert checked > 500
    assert masked_seen > 0, "no masked cell: the test does not exercise bounds"


def row_min_cell(policy: str) -> int:
    """Return the smallest positive count a country row may show (rounding may take 11 to 10)."""
    settings = POLICIES[policy]
    min_cell = int(settings.get("min_cell", 11))  # type: ignore[call-overload]
    return min_cell - int(settings.get("rounding", 0)) // 2  # type: ignore[call-overload]


def test_the_hub_names_its_analyst_in_the_signed_query(network: Network) -> None:
    nodes = [network.serve_node(network.node_settings("no", **EXACT))]
    service = HubService(network.hub_settings(nodes))
    body = {"period": PERIOD, "measure": "treated-patients"}
    document = asyncio.run(service.run_query(query_from_request(body), actor="alice"))
    (receipt,) = service.receipts(document.query_id)
    sent = json.loads(base64.b64decode(receipt["receipt"]["request_body_base64"]))
    assert {"name": "requester", "valueString": "alice"} in sent["parameter"]

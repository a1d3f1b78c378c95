"""Three real nodes and the hub: federated answers equal a centralised computation on the union."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from app.database import create_store_engine
from app.hub.requests import query_from_request
from app.hub.service import HubService
from app.measures import evaluate_measure
from tests.e2e.network import Network, build_network

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
]


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    yield from build_network(tmp_path_factory.mktemp("network"))


def _central(
    network: Network, query_body: dict[str, Any]
) -> dict[tuple[str, str | None, str | None], int]:
    """Exact counts of the union database: (population, stratifier, stratum) -> count."""
    query = query_from_request({"period": PERIOD, **query_body})
    engine = create_store_engine(network.central_url)
    with engine.connect() as connection:
        results = evaluate_measure(connection, query)
    engine.dispose()
    counts: dict[tuple[str, str | None, str | None], int] = {}
    for result in results:
        counts[(result.population, None, None)] = result.total.count or 0
        for stratifier, strata in result.strata.items():
            for value, cell in strata.items():
                if cell.count:
                    counts[(result.population, stratifier, value)] = cell.count
    return counts


def _pooled(document: dict[str, Any]) -> dict[tuple[str, str | None, str | None], int]:
    return {
        (row["population"], row["stratifier"], row["stratum"]): row["count"]
        for row in document["rows"]
        if row["country"] == "ALL" and (row["stratifier"] is None or row["count"])
    }


@pytest.fixture(scope="module")
def exact_service(network: Network) -> HubService:
    nodes = [network.serve_node(network.node_settings(n, min_cell=1)) for n in ("no", "de", "pt")]
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


def test_pooled_bounds_contain_truth_with_min_cell_11(network: Network) -> None:
    nodes = [network.serve_node(network.node_settings(n, min_cell=11)) for n in ("no", "de", "pt")]
    service = HubService(network.hub_settings(nodes))
    masked_seen = 0
    for body in QUERIES:
        document = asyncio.run(
            service.run_query(query_from_request({"period": PERIOD, **body}), actor="test")
        ).model_dump()
        truth = _central(network, body)
        for row in document["rows"]:
            if row["country"] != "ALL":
                if row["count"] is not None:
                    assert row["count"] == 0 or row["count"] >= 11
                continue
            key = (row["population"], row["stratifier"], row["stratum"])
            true_value = truth.get(key, 0)
            assert row["lower"] <= true_value <= row["upper"], (body["measure"], key)
            masked_seen += row["status"] == "bounded"
    assert masked_seen > 0, "no masked cell at min_cell 11: the test does not exercise bounds"

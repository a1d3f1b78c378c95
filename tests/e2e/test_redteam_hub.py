"""Differencing through the hub's HTTP API: per-country small cells behind pooled rows.

The analyst asks the hub (bearer token, real servers on 127.0.0.1) for treated patients with a
filter listing every value and the same filter without one value, and subtracts the per-country
rows; where a node refuses the list, it asks each single value and subtracts those. The recovery
share of per-country strata with ``1 ≤ n < 11`` is printed beside a blind guess (``-rP``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.catalogue import load_catalogue, validate_query
from app.cli.servers import ServerThread, free_port
from app.config import load_node_settings
from app.database import create_store_engine
from app.hub.app import create_hub_app
from app.hub.requests import query_from_request
from app.hub.tokens import TokenRegistry
from app.measures import evaluate_measure
from tests.disclosure.redteam.attacker import blind_value
from tests.e2e.network import EXACT, Network, build_network

pytestmark = [pytest.mark.e2e, pytest.mark.disclosure]
PERIOD = {"start": "2024-01-01", "end": "2025-06-30"}
STRATIFIERS = ("drug", "route", "setting")
COUNTRIES = {"no": "NO", "de": "DE", "pt": "PT"}


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    yield from build_network(tmp_path_factory.mktemp("redteam-hub"))


def _hub(network: Network, policy: dict[str, Any]) -> tuple[ServerThread, dict[str, str]]:
    nodes = [network.serve_node(network.node_settings(n, **policy)) for n in COUNTRIES]
    settings = network.hub_settings(nodes, port=free_port())
    server = ServerThread(create_hub_app(settings), settings.hub.port, name="hub").start()
    token = TokenRegistry.from_file(settings.hub.api_token_file).first_token()
    return server, {"Authorization": f"Bearer {token}"}


def _rows(client: httpx.Client, url: str, headers: dict[str, str], body: dict[str, Any]) -> dict:
    started = client.post(f"{url}/api/queries", json={"period": PERIOD, **body}, headers=headers)
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        document = client.get(f"{url}/api/queries/{started.json()['id']}", headers=headers).json()
        # The document is served while nodes are still pending: wait until it is final.
        if document.get("status") != "running" and "rows" in document:
            return {
                row["country"]: row["count"]
                for row in document["rows"]
                if row["stratifier"] is None and row["population"] == "treated-patients"
            }
        time.sleep(0.1)
    raise AssertionError("query did not finish")


def _truth(network: Network) -> dict[tuple[str, str, str], int]:
    """Per-country strata of treated patients, exact, from each node's own database."""
    query = validate_query(
        query_from_request(
            {"period": PERIOD, "measure": "treated-patients", "stratify": list(STRATIFIERS)}
        )
    )
    truth = {}
    for node, country in COUNTRIES.items():
        engine = create_store_engine(
            load_node_settings(network.node_configs[node]).node.database_url
        )
        with engine.connect() as connection:
            (result,) = evaluate_measure(connection, query, include_zero_strata=True)
        engine.dispose()
        for stratifier, table in result.strata.items():
            for value, cell in table.items():
                truth[(country, stratifier, value)] = cell.count or 0
    return truth


def _attack(network: Network, policy: dict[str, Any]) -> tuple[int, int, int]:
    """Return (targets, recovered, blind) of differencing per-country strata through the hub."""
    truth = _truth(network)
    targets = {key: n for key, n in truth.items() if 1 <= n < 11}
    blind = blind_value(list(targets.values()))
    server, headers = _hub(network, policy)
    filters = load_catalogue()["treated-patients"].filters
    guesses: dict[tuple[str, str, str], int | None] = {}
    try:
        with httpx.Client(timeout=60) as client:
            for stratifier in STRATIFIERS:
                values = filters[stratifier]
                every = _rows(client, server.url, headers, _body(stratifier, values))
                singles: dict[str, dict[str, Any]] | None = None
                for country, s, value in [k for k in targets if k[1] == stratifier]:
                    rest = [v for v in values if v != value]
                    without = _rows(client, server.url, headers, _body(stratifier, rest))
                    other: int | None = without.get(country)
                    if other is None:  # refused or masked: ask every other value alone
                        if singles is None:
                            singles = {
                                v: _rows(client, server.url, headers, _body(stratifier, [v]))
                                for v in values
                            }
                        parts = [singles[v].get(country) for v in rest]
                        other = None if None in parts else sum(parts)  # type: ignore[arg-type]
                    whole = every.get(country)
                    guess = None if whole is None or other is None else whole - other
                    guesses[(country, s, value)] = guess
    finally:
        server.stop()
    recovered = sum(
        (blind if guesses.get(key) is None else guesses[key]) == n for key, n in targets.items()
    )
    return len(targets), recovered, sum(n == blind for n in targets.values())


def _body(stratifier: str, values: list[str] | tuple[str, ...]) -> dict[str, Any]:
    return {"measure": "treated-patients", "filters": {stratifier: list(values)}}


def test_exact_counts_leak_per_country_small_cells_through_the_hub(network: Network) -> None:
    targets, recovered, blind = _attack(network, {"min_cell": 11, **EXACT})
    print(f"hub API differencing, exact counts: {recovered}/{targets} recovered, blind {blind}")
    assert targets >= 5
    assert recovered - blind >= 0.3 * targets


def test_default_policy_keeps_per_country_small_cells_near_a_blind_guess(
    network: Network,
) -> None:
    targets, recovered, blind = _attack(network, {})
    print(f"hub API differencing, default policy: {recovered}/{targets} recovered, blind {blind}")
    assert targets >= 5
    assert recovered - blind <= 0.1 * targets

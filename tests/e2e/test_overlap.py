"""Cross-border overlap end to end: real nodes on loopback, the hub relaying PSI between them.

The truth is computed here from the raw exports (names, birth dates and sex in ``patients.csv``),
exactly as a central register holding everyone's identities would: the network must find it
without anyone but the nodes ever holding a name or a token.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import itertools
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from app.cli.init import scaffold_hub, write_private_text
from app.cli.provision import provision_node
from app.cli.pull import PullNodeThread
from app.cli.servers import ServerThread, free_port
from app.config import HubLinkSection, NodeEntry, load_hub_settings, load_node_settings
from app.exchange.overlap import OverlapRequest, parse_blinded_answer, to_overlap_parameters
from app.hub.app import create_hub_app
from app.hub.document import QueryDocument
from app.hub.requests import query_from_request
from app.hub.service import HubService
from app.hub.tokens import TokenRegistry
from app.linkage import LinkageTokeniser
from app.linkage.group import hash_to_point
from app.node.app import create_node_app
from app.synth import TravellerOptions
from app.trust.httpx_auth import SignedRequestAuth
from app.trust.keys import load_signing_key

pytestmark = pytest.mark.e2e
PERIOD = {"start": "2023-01-01", "end": "2026-03-31"}
TRAVELLERS = TravellerOptions(share=0.2, network_seed=17)
# id, country, patients, seed, export ingested, linkage secret ("network", "other" or none)
SPECS = (
    ("no", "NO", 260, 31, "csv", "network"),
    ("de", "DE", 340, 32, "csv", "network"),
    ("pt", "PT", 200, 33, "fhir", "network"),
    ("se", "SE", 220, 34, "csv", "other"),
    ("dk", "DK", 150, 35, "csv", None),
)


@dataclass
class OverlapNetwork:
    """The running nodes, the hub's entries for them, and the raw exports' identities."""

    root: Path
    hub_config: Path
    linkage_secret: bytes
    entries: dict[str, NodeEntry] = field(default_factory=dict)
    servers: list[ServerThread] = field(default_factory=list)

    def service(self, *node_ids: str) -> HubService:
        settings = load_hub_settings(self.hub_config)
        return HubService(
            settings.model_copy(update={"nodes": [self.entries[i] for i in node_ids]})
        )

    def patients(self, node_id: str, *, sex: str | None = None) -> list[dict[str, str]]:
        """The raw patient rows of a node's export that are treated in the period."""
        folder = self.root / node_id / "export" / "csv"
        treated = {
            row["patient_id"]
            for row in _rows(folder / "administrations.csv")
            if PERIOD["start"] <= row["administered_at"][:10] <= PERIOD["end"]
        }
        return [
            row
            for row in _rows(folder / "patients.csv")
            if row["patient_id"] in treated and (sex is None or row["sex"] == sex)
        ]

    def tokens(self, node_id: str, *, sex: str | None = None) -> set[bytes]:
        """The true linkage tokens of a node's treated patients (under the network's secret)."""
        tokeniser = LinkageTokeniser(self.linkage_secret)
        found = {
            tokeniser.token(
                family=row["family_name"],
                given=row["given_name"],
                birth_date=row["birth_date"],
                sex=row["sex"],
            )
            for row in self.patients(node_id, sex=sex)
        }
        return {token for token in found if token is not None}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OverlapNetwork]:
    root = tmp_path_factory.mktemp("overlap")
    secret_text = secrets.token_hex(32) + "\n"
    write_private_text(root / "network.linkage", secret_text)
    write_private_text(root / "other.linkage", secrets.token_hex(32) + "\n")
    hub_config = scaffold_hub(root / "hub", port=free_port())
    net = OverlapNetwork(root, hub_config, secret_text.strip().encode())
    for node_id, country, patients, seed, export, linkage in SPECS:
        config, _ = provision_node(
            root,
            node_id=node_id,
            country=country,
            patients=patients,
            seed=seed,
            export=export,
            hub_config=hub_config,
            linkage_secret=root / f"{linkage}.linkage" if linkage else None,
            travellers=TRAVELLERS,
        )
        settings = load_node_settings(config)
        # Exact counts (no small-cell masking) so the test can compare with the truth.
        exact = {
            "min_cell": 1,
            "perturbation": "none",
            "refuse_near_duplicates": False,
            "value_lists": True,
        }
        settings = settings.model_copy(
            update={"disclosure": settings.disclosure.model_copy(update=exact)}
        )
        net.servers.append(
            ServerThread(create_node_app(settings), settings.node.port, name=node_id).start()
        )
    net.entries = {node.id: node for node in load_hub_settings(hub_config).nodes}
    try:
        yield net
    finally:
        for server in net.servers:
            server.stop()


def run(service: HubService, **extra: Any) -> QueryDocument:
    query = query_from_request({"measure": "cross-border-overlap", "period": PERIOD, **extra})
    try:
        return asyncio.run(service.run_query(query, actor="e2e"))
    finally:
        service.engine.dispose()


def pair_rows(document: QueryDocument) -> dict[str, Any]:
    return {row.stratum: row for row in document.rows if row.population == "overlap"}


def country_rows(document: QueryDocument, population: str = "treated-patients") -> dict:
    return {
        row.country: row
        for row in document.rows
        if row.population == population and row.stratifier is None
    }


@pytest.fixture(scope="module")
def three(network: OverlapNetwork) -> QueryDocument:
    """The overlap query over the three nodes that share the network's secret."""
    return run(network.service("no", "de", "pt"))


def test_pair_counts_equal_the_true_overlap_of_the_exports(
    network: OverlapNetwork, three: QueryDocument
) -> None:
    assert [node.status for node in three.nodes] == ["ok", "ok", "ok"]
    rows = pair_rows(three)
    assert set(rows) == {"DE+NO", "DE+PT", "NO+PT"}
    for first, second in itertools.combinations(("no", "de", "pt"), 2):
        label = "+".join(sorted((first.upper(), second.upper())))
        truth = len(network.tokens(first) & network.tokens(second))
        assert truth > 0
        row = rows[label]
        assert (row.country, row.stratifier, row.status) == ("ALL", "pair", "exact")
        assert row.count == row.lower == row.upper == truth
    counts = country_rows(three)
    for node_id in ("no", "de", "pt"):
        assert counts[node_id.upper()].count == len(network.patients(node_id))
    # no group total row for overlap
    assert not [r for r in three.rows if r.population == "overlap" and r.stratifier is None]


def test_distinct_patients_bounds_contain_the_truth(
    network: OverlapNetwork, three: QueryDocument
) -> None:
    nodes = ("no", "de", "pt")
    tokens = set().union(*(network.tokens(node) for node in nodes))
    without = sum(
        len(network.patients(node)) - len(network.tokens(node)) for node in nodes
    )  # patients without a token are distinct
    truth = len(tokens) + without
    [row] = [r for r in three.rows if r.population == "distinct-patients"]
    assert row.country == "ALL"
    assert row.lower <= truth <= row.upper
    total = sum(len(network.patients(node)) for node in nodes)
    assert row.upper < total  # the overlap was subtracted
    assert any("distinct-patients" in caveat for caveat in three.caveats)


def test_two_nodes_give_exact_distinct_patients(network: OverlapNetwork) -> None:
    document = run(network.service("no", "de"))
    [row] = [r for r in document.rows if r.population == "distinct-patients"]
    truth = len(network.patients("no")) + len(network.patients("de"))
    truth -= len(network.tokens("no") & network.tokens("de"))
    assert (row.status, row.count, row.lower, row.upper) == ("exact", truth, truth, truth)


def test_filters_select_the_sets_of_both_nodes(network: OverlapNetwork) -> None:
    document = run(network.service("no", "de"), filters={"sex": ["female"]})
    truth = len(network.tokens("no", sex="female") & network.tokens("de", sex="female"))
    assert pair_rows(document)["DE+NO"].count == truth


def test_hub_stores_no_token_and_no_unblinded_point(
    network: OverlapNetwork, three: QueryDocument
) -> None:
    service = network.service("no", "de", "pt")
    receipts = service.receipts(three.query_id)
    service.engine.dispose()
    assert {r.get("round") for r in receipts} >= {"blind", "reblind", "count"}
    # Everything the hub's database holds on disk (its write-ahead log too), and what it serves.
    stored = b"".join(path.read_bytes() for path in (network.root / "hub").glob("hub.db*"))
    dump = stored + orjson.dumps(receipts)
    tokens = set().union(*(network.tokens(node) for node in ("no", "de", "pt")))
    assert tokens
    for token in tokens:
        for secret_value in (token, hash_to_point(token)):
            for form in (
                secret_value,
                secret_value.hex().encode(),
                base64.b64encode(secret_value),
                base64.urlsafe_b64encode(secret_value).rstrip(b"="),
            ):
                assert form not in dump
    # The hub keeps the blinded sets of the first two rounds as digests only.
    for receipt in receipts:
        if receipt.get("round") in ("blind", "reblind"):
            assert receipt["receipt"]["response"]["body_base64"] is None


def test_blinded_values_differ_between_two_runs_of_one_query(network: OverlapNetwork) -> None:
    query = query_from_request({"measure": "cross-border-overlap", "period": PERIOD})
    key = load_signing_key(network.root / "hub" / "keys" / "hub.pem")
    entry = network.entries["de"]
    body = orjson.dumps(to_overlap_parameters(query, OverlapRequest(pair="DE+NO", partner="no")))
    sets = []
    with httpx.Client() as client:
        for _ in range(2):
            response = client.post(
                f"{entry.url}/fhir/Measure/$overlap-blind",
                content=body,
                headers={"content-type": "application/fhir+json"},
                auth=SignedRequestAuth(key),
            )
            assert response.status_code == 200, response.text
            sets.append(parse_blinded_answer(response.json()).elements)
    assert len(sets[0]) == len(sets[1]) >= len(network.tokens("de"))
    assert not set(sets[0]) & set(sets[1])


def test_a_node_with_another_linkage_secret_finds_no_overlap(network: OverlapNetwork) -> None:
    document = run(network.service("no", "se"))
    # SE treats members of the same traveller pool, but its tokens are under another secret.
    raw = {(r["family_name"].lower(), r["birth_date"]) for r in network.patients("se")} & {
        (r["family_name"].lower(), r["birth_date"]) for r in network.patients("no")
    }
    assert raw
    assert pair_rows(document)["NO+SE"].count == 0


def test_a_node_without_linkage_secret_is_refused(network: OverlapNetwork) -> None:
    document = run(network.service("no", "de", "dk"))
    statuses = {node.id: (node.status, node.detail) for node in document.nodes}
    assert statuses["dk"] == ("refused", "no linkage")
    assert set(pair_rows(document)) == {"DE+NO"}


def test_the_caveat_names_the_measured_overlap_for_the_same_question(
    network: OverlapNetwork, three: QueryDocument
) -> None:
    service = network.service("no", "de", "pt")
    same = query_from_request({"measure": "treated-patients", "period": PERIOD})
    other = query_from_request(
        {"measure": "treated-patients", "period": {"start": "2024-01-01", "end": "2024-12-31"}}
    )
    try:
        named = asyncio.run(service.run_query(same, actor="e2e"))
        plain = asyncio.run(service.run_query(other, actor="e2e"))
    finally:
        service.engine.dispose()
    assert three.query_id in named.caveats[0]
    for label, row in pair_rows(three).items():
        assert f"{label} {row.count}" in named.caveats[0]
    assert plain.caveats[0] == "Patients treated in two countries are counted by both."


def test_an_overlap_query_with_a_pull_node_waits_for_it_then_relays_the_push_pairs(
    network: OverlapNetwork,
) -> None:
    port = free_port()
    hub_url = f"http://127.0.0.1:{port}"
    de = network.entries["de"].model_copy(update={"mode": "pull"})
    settings = load_hub_settings(network.hub_config)
    settings = settings.model_copy(
        update={
            "nodes": [network.entries["no"], de, network.entries["pt"]],
            "hub": settings.hub.model_copy(
                update={
                    "port": port,
                    "public_url": hub_url,
                    "database_url": f"sqlite:///{network.root / 'hub-with-pull.db'}",
                }
            ),
        }
    )
    hub = ServerThread(create_hub_app(settings), port, name="hub-with-pull").start()
    de_settings = load_node_settings(network.root / "de" / "node.toml")
    de_settings = de_settings.model_copy(
        update={"hub": HubLinkSection(url=hub_url, mode="pull", poll_wait_s=1)}
    )
    token = TokenRegistry.from_file(settings.hub.api_token_file).first_token()
    headers = {"Authorization": f"Bearer {token}"}
    try:
        body = {"measure": "cross-border-overlap", "period": PERIOD}
        started = httpx.post(f"{hub_url}/api/queries", json=body, headers=headers)
        url = f"{hub_url}{started.json()['href']}"
        time.sleep(1.0)  # the push nodes answer; the query waits for the pull node
        waiting = httpx.get(url, headers=headers).json()
        assert waiting["status"] == "running"
        assert {n["id"]: n["status"] for n in waiting["nodes"]}["de"] == "pending"
        puller = PullNodeThread(de_settings).start()
        try:
            deadline = time.monotonic() + 60
            while (document := httpx.get(url, headers=headers).json())["status"] == "running":
                assert time.monotonic() < deadline, document["nodes"]
                time.sleep(0.2)
        finally:
            puller.stop()
    finally:
        hub.stop()
    assert [node["status"] for node in document["nodes"]] == ["ok", "ok", "ok"]
    pairs = {
        row["stratum"]: row
        for row in document["rows"]
        if row["population"] == "overlap" and row["country"] == "ALL"
    }
    assert set(pairs) == {"NO+PT"}  # the hub relays between push nodes only
    expected = len(network.tokens("no") & network.tokens("pt"))
    assert pairs["NO+PT"]["count"] == expected
    assert any("DE+NO" in caveat and "pull node" in caveat for caveat in document["caveats"])

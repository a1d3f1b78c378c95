"""Under a frozen clock and a seeded noise source, the same data give the same signed-ready bytes.

Two fresh nodes are built from the same export (same secret, same frozen clock for the ingest
and the app) and asked the same noised question twice each, through their real apps.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import httpx
import pytest

from app.cli.init import scaffold_node
from app.cli.peers import add_peer
from app.cli.servers import free_port
from app.config import load_node_settings
from app.database import create_store_engine
from app.ingest import ingest_export
from app.node.app import create_node_app
from app.store import upgrade_schema
from app.synth import write_synthetic_export
from app.trust.httpx_auth import SignedRequestAuth
from app.trust.keys import SigningKey, load_signing_key, write_key_pair
from tests.node.conftest import parameters

FROZEN_S = 1_800_000_000.0
SECRET = b"reproducible answers: a fixed secret of 32+ bytes"


def _frozen() -> float:
    return FROZEN_S


def _node(folder: Path, export: Path, hub_jwk: Path) -> httpx.AsyncClient:
    """Return a client of a fresh node holding ``export``, built under the frozen clock."""
    config = scaffold_node(
        folder,
        node_id="no",
        country="NO",
        port=free_port(),
        disclosure={"min_cell": 5, "epsilon": 1.0, "epsilon_budget": 10.0},
    )
    add_peer(config, name="hub", jwk=hub_jwk, grants=["aggregate"])
    settings = load_node_settings(config)
    # The node's own secret is the one its exports are ingested with (it also keys the noise).
    settings.node.pseudonym_secret.write_bytes(SECRET)
    engine = create_store_engine(settings.node.database_url)
    upgrade_schema(engine)
    ingest_export(engine=engine, paths=[export], secret=SECRET, timezone="UTC", clock=_frozen)
    engine.dispose()
    app = create_node_app(settings, clock=_frozen, rng=random.Random(2027))
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=settings.node.public_url
    )


async def _ask(client: httpx.AsyncClient, key: SigningKey) -> bytes:
    response = await client.post(
        "/fhir/Measure/$evaluate-measure",
        content=json.dumps(parameters(stratify=["route"])).encode(),
        headers={"content-type": "application/fhir+json"},
        auth=SignedRequestAuth(key, clock=_frozen),
    )
    assert response.status_code == 200, response.text
    return response.content


@pytest.mark.disclosure
async def test_two_fresh_nodes_from_the_same_data_answer_byte_identically(
    tmp_path: Path,
) -> None:
    write_synthetic_export(country="NO", patients=60, seed=4, out_dir=tmp_path / "export")
    write_key_pair(tmp_path / "hub", "hub")
    hub_key = load_signing_key(tmp_path / "hub" / "hub.pem")
    bodies = []
    for name in ("first", "second"):
        async with _node(
            tmp_path / name, tmp_path / "export" / "csv", tmp_path / "hub" / "hub.jwk.json"
        ) as client:
            bodies += [await _ask(client, hub_key), await _ask(client, hub_key)]
    assert bodies[0] == bodies[1] == bodies[2] == bodies[3]
    report = json.loads(bodies[0])
    assert report["date"] == "2027-01-15T08:00:00+00:00"
    assert "noised" in bodies[0].decode()
